// SPDX-License-Identifier: GPL-2.0-only
/* Per-incident packet captures: the gzip'd pcap writer, the pre-attack
 * ring, retention and export. See pcapw.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include "pcapw.h"

#include "fsutil.h"

#define NS	   1000000000ULL
#define COPY_BUF   65536
#define GZ_BUF	   65536
#define ID_MAX_LEN 200

static int fail(char *err, size_t errlen, int e, const char *path, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s%s%s", path, what ? what : "", what ? ": " : "",
			 strerror(e));
	return -e;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sha256_fd(int fd, char hex[65])
{
	unsigned char buf[COPY_BUF], md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen = 0, i;
	off_t off = 0;
	int ret = 0;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		ret = -EIO;
		goto out;
	}
	for (;;) {
		/* pread from 0: the writer's descriptor sits at the end */
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			ret = -EIO;
			goto out;
		}
		off += n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		ret = -EIO;
		goto out;
	}
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int xg_sha256_file(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = sha256_fd(fd, hex);
	close(fd);
	return ret;
}

/* ---- the writer ---- */

struct xg_pcapw {
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
	int fd;	   /* our own descriptor: fsync, size and hash after gzclose */
	gzFile gz; /* on a dup of fd, closed by gzclose */
	FILE *fp;  /* fopencookie over gz; libpcap writes here */
	pcap_t *pd;
	pcap_dumper_t *d;
	int werr; /* first write error (errno); the file is lost after one */
	uint64_t packets, first_ns, last_ns;
};

static void set_werr(struct xg_pcapw *w, int e)
{
	if (!w->werr)
		w->werr = e ? e : EIO;
}

/* zlib reports Z_ERRNO for a failed write(2), with errno still set. */
static int gz_errno(gzFile gz, int saved)
{
	int zerr = Z_OK;

	gzerror(gz, &zerr);
	if (zerr == Z_ERRNO && saved)
		return saved;
	return zerr == Z_MEM_ERROR ? ENOMEM : EIO;
}

static ssize_t gz_cookie_write(void *cookie, const char *buf, size_t size)
{
	struct xg_pcapw *w = cookie;
	size_t done = 0;

	while (done < size) {
		unsigned int chunk =
		    size - done > (1u << 30) ? 1u << 30 : (unsigned int)(size - done);
		int n;

		errno = 0;
		n = gzwrite(w->gz, buf + done, chunk);
		if (n <= 0) {
			set_werr(w, gz_errno(w->gz, errno));
			errno = w->werr;
			return 0; /* fopencookie: 0 is the error, never negative */
		}
		done += (size_t)n;
	}
	return (ssize_t)size;
}

static int gz_cookie_close(void *cookie)
{
	struct xg_pcapw *w = cookie;
	int r;

	errno = 0;
	r = gzclose(w->gz); /* flushes, writes the trailer, closes the dup */
	w->gz = NULL;
	if (r != Z_OK) {
		set_werr(w, r == Z_ERRNO && errno ? errno : EIO);
		return EOF;
	}
	return 0;
}

int xg_pcapw_open(struct xg_pcapw **out, const char *path, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = {.write = gz_cookie_write,
						 .close = gz_cookie_close};
	struct xg_pcapw *w;
	int gzfd, e;

	*out = NULL;
	if (!ends_with(path, XG_PCAP_EXT))
		return fail(err, errlen, EINVAL, path, "not a " XG_PCAP_EXT " name");
	w = calloc(1, sizeof(*w));
	if (!w)
		return fail(err, errlen, ENOMEM, path, NULL);
	w->fd = -1;
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path)) {
		free(w);
		return fail(err, errlen, ENAMETOOLONG, path, NULL);
	}
	snprintf(w->tmp, sizeof(w->tmp), "%s%s", path, XG_PCAP_TMP);
	/* 0600: payloads carry SIP headers, i.e. personal data; read-write
	 * because close hashes the file through this descriptor */
	w->fd = open(w->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		e = errno;
		fail(err, errlen, e, w->tmp, NULL);
		free(w);
		return -e;
	}
	gzfd = fcntl(w->fd, F_DUPFD_CLOEXEC, 0);
	if (gzfd < 0) {
		e = errno;
		goto fail_fd;
	}
	/* level 1: a capture is written while the node is under attack, when
	 * CPU matters more than the last tenth of the file size */
	w->gz = gzdopen(gzfd, "wb1");
	if (!w->gz) {
		close(gzfd);
		e = ENOMEM;
		goto fail_fd;
	}
	gzbuffer(w->gz, GZ_BUF);
	w->fp = fopencookie(w, "w", io);
	if (!w->fp) {
		e = errno ? errno : ENOMEM;
		gzclose(w->gz);
		goto fail_fd;
	}
	/* microseconds: the classic pcap magic every tool reads */
	w->pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, XG_SAMPLE_SNAP,
						     PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->pd) {
		e = ENOMEM;
		goto fail_fp;
	}
	w->d = pcap_dump_fopen(w->pd, w->fp);
	if (!w->d) {
		e = EIO;
		snprintf(err, errlen, "%s: pcap: %s", w->tmp, pcap_geterr(w->pd));
		pcap_close(w->pd);
		fclose(w->fp);
		close(w->fd);
		unlink(w->tmp);
		free(w);
		return -e;
	}
	*out = w;
	return 0;

fail_fp:
	fclose(w->fp); /* closes gz through the cookie */
fail_fd:
	close(w->fd);
	unlink(w->tmp);
	fail(err, errlen, e, w->tmp, NULL);
	free(w);
	return -e;
}

int xg_pcapw_write(struct xg_pcapw *w, uint64_t ts_real_ns, const void *data, uint32_t cap_len,
		   uint32_t orig_len)
{
	struct pcap_pkthdr h;

	if (w->werr)
		return -w->werr;
	if ((!data && cap_len) || cap_len > XG_SAMPLE_SNAP || cap_len > orig_len)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts_real_ns / NS);
	h.ts.tv_usec = (suseconds_t)(ts_real_ns % NS / 1000);
	h.caplen = cap_len;
	h.len = orig_len;
	pcap_dump((u_char *)w->d, &h, data);
	if (ferror(w->fp)) {
		set_werr(w, EIO);
		return -w->werr;
	}
	if (!w->packets || ts_real_ns < w->first_ns)
		w->first_ns = ts_real_ns;
	if (!w->packets || ts_real_ns > w->last_ns)
		w->last_ns = ts_real_ns;
	w->packets++;
	return 0;
}

uint64_t xg_pcapw_packets(const struct xg_pcapw *w)
{
	return w->packets;
}

/* Closes the libpcap/stdio/zlib chain; the gzip trailer is written here. */
static void close_stream(struct xg_pcapw *w)
{
	if (w->d) {
		if (pcap_dump_flush(w->d))
			set_werr(w, EIO);
		if (ferror(w->fp))
			set_werr(w, EIO);
		pcap_dump_close(w->d); /* fclose: the cookie's gzclose */
		w->d = NULL;
		w->fp = NULL;
	}
	if (w->pd) {
		pcap_close(w->pd);
		w->pd = NULL;
	}
}

int xg_pcapw_close(struct xg_pcapw *w, struct xg_pcapw_result *res, char *err, size_t errlen)
{
	struct stat st;
	char hex[65];
	int ret;

	close_stream(w);
	if (w->werr) {
		ret = fail(err, errlen, w->werr, w->tmp, "write");
		goto fail;
	}
	if (fsync(w->fd) || fstat(w->fd, &st)) {
		ret = fail(err, errlen, errno, w->tmp, NULL);
		goto fail;
	}
	ret = sha256_fd(w->fd, hex);
	if (ret) {
		fail(err, errlen, -ret, w->tmp, "sha256");
		goto fail;
	}
	ret = close(w->fd);
	w->fd = -1;
	if (ret) {
		ret = fail(err, errlen, errno, w->tmp, NULL);
		goto fail;
	}
	if (rename(w->tmp, w->path)) {
		ret = fail(err, errlen, errno, w->path, "rename from " XG_PCAP_TMP);
		goto fail;
	}
	if (res) {
		res->packets = w->packets;
		res->bytes = (uint64_t)st.st_size;
		res->first_ts_ns = w->first_ns;
		res->last_ts_ns = w->last_ns;
		memcpy(res->sha256, hex, sizeof(res->sha256));
	}
	/* The file is complete and in place; only its name may not survive a
	 * crash, which is worth saying but not undoing. */
	ret = xg_fsync_dir_of(w->path);
	if (ret)
		fail(err, errlen, -ret, w->path, "fsync of the directory");
	free(w);
	return ret;

fail:
	if (w->fd >= 0)
		close(w->fd);
	unlink(w->tmp);
	free(w);
	return ret;
}

void xg_pcapw_abort(struct xg_pcapw *w)
{
	if (!w)
		return;
	close_stream(w);
	if (w->fd >= 0)
		close(w->fd);
	unlink(w->tmp);
	free(w);
}

/* ---- the pre-attack ring ---- */

int xg_sample_ring_init(struct xg_sample_ring *r, uint32_t cap)
{
	memset(r, 0, sizeof(*r));
	if (cap) {
		r->v = calloc(cap, sizeof(*r->v));
		if (!r->v)
			return -ENOMEM;
	}
	r->cap = cap;
	return 0;
}

/* Slot buffers grow in steps of this, and shrink when 4 times too big. */
#define SLOT_ROUND 128

void xg_sample_ring_push(struct xg_sample_ring *r, uint64_t ts_real_ns, const struct xg_sample *s)
{
	uint32_t len = s->cap_len < XG_SAMPLE_SNAP ? s->cap_len : XG_SAMPLE_SNAP, want;
	struct xg_sample_slot *slot;

	if (!r->cap)
		return;
	slot = &r->v[r->n < r->cap ? (r->head + r->n) % r->cap : r->head];
	want = (len + SLOT_ROUND - 1) / SLOT_ROUND * SLOT_ROUND;
	if (want > slot->buf_cap || (want && slot->buf_cap > 4 * want)) {
		uint8_t *nb = realloc(slot->buf, want);

		if (!nb)
			return; /* the sample is lost, the ring stays as it was */
		slot->buf = nb;
		slot->buf_cap = want;
	}
	if (r->n < r->cap)
		r->n++;
	else
		r->head = (r->head + 1) % r->cap; /* full: the oldest goes */
	memcpy(slot->buf, s->data, len);
	slot->rec = (struct xg_sample_rec){.ts_real_ns = ts_real_ns,
					   .data = slot->buf,
					   .orig_len = s->orig_len,
					   .cap_len = (uint16_t)len};
}

uint32_t xg_sample_ring_count(const struct xg_sample_ring *r)
{
	return r->n;
}

const struct xg_sample_rec *xg_sample_ring_at(const struct xg_sample_ring *r, uint32_t i)
{
	if (i >= r->n)
		return NULL;
	return &r->v[(r->head + i) % r->cap].rec;
}

int xg_sample_ring_foreach(const struct xg_sample_ring *r,
			   int (*cb)(const struct xg_sample_rec *rec, void *arg), void *arg)
{
	uint32_t i;
	int ret;

	for (i = 0; i < r->n; i++) {
		ret = cb(xg_sample_ring_at(r, i), arg);
		if (ret)
			return ret;
	}
	return 0;
}

void xg_sample_ring_clear(struct xg_sample_ring *r)
{
	r->head = 0;
	r->n = 0;
}

void xg_sample_ring_free(struct xg_sample_ring *r)
{
	uint32_t i;

	for (i = 0; i < r->cap; i++)
		free(r->v[i].buf);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ---- names ---- */

bool xg_pcap_id_valid(const char *id)
{
	const unsigned char *p;

	if (!id || !*id || *id == '.' || strlen(id) >= ID_MAX_LEN)
		return false;
	for (p = (const unsigned char *)id; *p; p++)
		if (*p == '/' || *p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

int xg_pcap_path(char *buf, size_t len, const char *dir, const char *id)
{
	if (!xg_pcap_id_valid(id))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s%s", dir, id, XG_PCAP_EXT) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int xg_pcap_dir_of(char *buf, size_t len, const char *pcap_dir, const char *state_dir)
{
	int n;

	if (pcap_dir && *pcap_dir)
		n = snprintf(buf, len, "%s", pcap_dir);
	else
		n = snprintf(buf, len, "%s/%s", state_dir, XG_PCAP_SUBDIR);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- retention ---- */

static int cmp_file(const struct xg_pcap_file *a, const struct xg_pcap_file *b)
{
	if (a->mtime_ns != b->mtime_ns)
		return a->mtime_ns < b->mtime_ns ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int cmp_file_v(const void *a, const void *b)
{
	return cmp_file(a, b);
}

static int cmp_file_p(const void *a, const void *b)
{
	return cmp_file(*(const struct xg_pcap_file *const *)a,
			*(const struct xg_pcap_file *const *)b);
}

int xg_pcap_retention_plan(const struct xg_pcap_file *files, size_t n,
			   const struct xg_pcap_limits *lim, uint64_t now_ns, bool *remove)
{
	const struct xg_pcap_file **ord;
	uint64_t total = 0;
	int count = 0;
	size_t i;

	for (i = 0; i < n; i++)
		remove[i] = false;
	if (!n)
		return 0;
	/* sort pointers, not the caller's array: remove[] follows its order */
	ord = malloc(n * sizeof(*ord));
	if (!ord)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ord[i] = &files[i];
	qsort(ord, n, sizeof(*ord), cmp_file_p);
	for (i = 0; i < n; i++) {
		const struct xg_pcap_file *f = ord[i];
		/* a file from the future (clock stepped back) is new, not old */
		uint64_t age = now_ns > f->mtime_ns ? now_ns - f->mtime_ns : 0;

		if (lim->max_age_s && lim->max_age_s <= UINT64_MAX / NS &&
		    age > lim->max_age_s * NS) {
			remove[f - files] = true;
			count++;
		} else {
			total += f->size;
		}
	}
	for (i = 0; lim->max_total_bytes && i < n && total > lim->max_total_bytes; i++) {
		const struct xg_pcap_file *f = ord[i];

		if (remove[f - files])
			continue;
		remove[f - files] = true;
		count++;
		total -= f->size;
	}
	free(ord);
	return count;
}

int xg_pcap_scan(const char *dir, struct xg_pcap_file **files, size_t *n, char *err, size_t errlen)
{
	struct xg_pcap_file *v = NULL;
	size_t cap = 0, cnt = 0;
	struct dirent *de;
	DIR *d;
	int e;

	*files = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : fail(err, errlen, errno, dir, NULL);
	for (errno = 0; (de = readdir(d)); errno = 0) {
		struct stat st;

		if (de->d_name[0] == '.' || !ends_with(de->d_name, XG_PCAP_EXT) ||
		    strlen(de->d_name) >= sizeof(v->name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue; /* gone meanwhile, or not a plain file: not ours */
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct xg_pcap_file *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				e = ENOMEM;
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		snprintf(v[cnt].name, sizeof(v[cnt].name), "%s", de->d_name);
		v[cnt].size = (uint64_t)st.st_size;
		v[cnt].mtime_ns = (uint64_t)st.st_mtim.tv_sec * NS + (uint64_t)st.st_mtim.tv_nsec;
		cnt++;
	}
	if (errno) {
		e = errno;
		goto fail;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_file_v);
	*files = v;
	*n = cnt;
	return 0;

fail:
	closedir(d);
	free(v);
	return fail(err, errlen, e, dir, NULL);
}

int xg_pcap_enforce(const char *dir, const struct xg_pcap_limits *lim, uint64_t now_ns,
		    unsigned int *removed, uint64_t *freed, char *err, size_t errlen)
{
	struct xg_pcap_file *files;
	unsigned int nrm = 0;
	uint64_t nfreed = 0;
	bool *rm = NULL;
	size_t n, i;
	int ret;

	ret = xg_pcap_scan(dir, &files, &n, err, errlen);
	if (ret)
		goto out;
	if (n) {
		rm = calloc(n, sizeof(*rm));
		ret = rm ? xg_pcap_retention_plan(files, n, lim, now_ns, rm) : -ENOMEM;
		if (ret < 0) {
			fail(err, errlen, -ret, dir, NULL);
			goto out;
		}
		ret = 0;
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (!rm[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (!unlink(path)) {
			nrm++;
			nfreed += files[i].size;
		} else if (errno != ENOENT && !ret) {
			ret = fail(err, errlen, errno, path, "remove"); /* keep going */
		}
	}
out:
	free(rm);
	free(files);
	if (removed)
		*removed = nrm;
	if (freed)
		*freed = nfreed;
	return ret;
}

int xg_pcap_remove_stale_tmp(const char *dir, unsigned int *removed, char *err, size_t errlen)
{
	struct dirent *de;
	unsigned int nrm = 0;
	int ret = 0;
	DIR *d;

	if (removed)
		*removed = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : fail(err, errlen, errno, dir, NULL);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, XG_PCAP_EXT XG_PCAP_TMP))
			continue;
		if (!unlinkat(dirfd(d), de->d_name, 0))
			nrm++;
		else if (errno != ENOENT && !ret)
			ret = fail(err, errlen, errno, de->d_name, "remove");
	}
	closedir(d);
	if (removed)
		*removed = nrm;
	return ret;
}

int xg_pcap_free_bytes(const char *dir, uint64_t *out)
{
	struct statvfs s;

	if (statvfs(dir, &s))
		return -errno;
	*out = (uint64_t)s.f_bavail * (uint64_t)s.f_frsize;
	return 0;
}

/* ---- copy out ---- */

int xg_pcap_export(const char *src_gz, const char *dst, bool uncompress, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8], *buf = NULL;
	bool direct = !strcmp(dst, "-"), checked = false;
	int in, out = -1, ret = 0, zerr;
	const char *outname = direct ? "stdout" : dst;
	gzFile gz = NULL;
	struct stat st;

	tmp[0] = '\0';
	in = open(src_gz, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fail(err, errlen, errno, src_gz, NULL);
	if (uncompress) {
		gz = gzdopen(in, "rb"); /* owns in from here */
		if (!gz) {
			close(in);
			return fail(err, errlen, ENOMEM, src_gz, NULL);
		}
		in = -1;
	}
	buf = malloc(COPY_BUF);
	if (!buf) {
		ret = fail(err, errlen, ENOMEM, src_gz, NULL);
		goto out;
	}
	/* A device or a FIFO (/dev/stdout, /dev/null) has no .tmp to rename. */
	if (!direct && !stat(dst, &st) && !S_ISREG(st.st_mode))
		direct = true;
	if (!strcmp(dst, "-")) {
		out = STDOUT_FILENO;
	} else if (direct) {
		out = open(dst, O_WRONLY | O_CLOEXEC);
	} else {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s", dst, XG_PCAP_TMP) >= sizeof(tmp)) {
			tmp[0] = '\0';
			ret = fail(err, errlen, ENAMETOOLONG, dst, NULL);
			goto out;
		}
		out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (out < 0) {
		ret = fail(err, errlen, errno, direct ? dst : tmp, NULL);
		tmp[0] = '\0'; /* nothing of ours to remove */
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (gz) {
			n = gzread(gz, buf, COPY_BUF);
			/* gzread passes non-gzip input through as is: refuse that */
			if (!checked && n >= 0) {
				checked = true;
				if (gzdirect(gz)) {
					ret = fail(err, errlen, EINVAL, src_gz, "not a gzip file");
					goto out;
				}
			}
			if (n <= 0) {
				const char *msg = gzerror(gz, &zerr);

				if (zerr == Z_OK)
					break;
				/* truncated input ends with Z_BUF_ERROR, not -1 */
				if (err && errlen)
					snprintf(err, errlen, "%s: gzip: %s", src_gz,
						 zerr == Z_ERRNO ? strerror(errno) : msg);
				ret = zerr == Z_ERRNO && errno ? -errno : -EIO;
				goto out;
			}
		} else {
			n = read(in, buf, COPY_BUF);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				ret = fail(err, errlen, errno, src_gz, NULL);
				goto out;
			}
			if (n == 0)
				break;
		}
		ret = write_all(out, buf, (size_t)n);
		if (ret) {
			fail(err, errlen, -ret, outname, NULL);
			goto out;
		}
	}
	if (tmp[0]) {
		if (fsync(out)) {
			ret = fail(err, errlen, errno, tmp, NULL);
			goto out;
		}
		ret = close(out);
		out = -1;
		if (ret) {
			ret = fail(err, errlen, errno, tmp, NULL);
			goto out;
		}
		if (rename(tmp, dst)) {
			ret = fail(err, errlen, errno, dst, "rename from " XG_PCAP_TMP);
			goto out;
		}
		tmp[0] = '\0';
		xg_fsync_dir_of(dst); /* best effort: the data itself is synced */
	}
out:
	if (out >= 0 && out != STDOUT_FILENO)
		close(out);
	if (tmp[0])
		unlink(tmp);
	if (gz)
		gzclose(gz);
	if (in >= 0)
		close(in);
	free(buf);
	return ret;
}
