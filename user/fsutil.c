// SPDX-License-Identifier: GPL-2.0-only
#include "fsutil.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int xg_fsync_dir_of(const char *path)
{
	char buf[4096];
	int fd, ret = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

static int write_via_tmp(const char *path, const void *data, size_t len, bool durable, char *err,
			 size_t errlen)
{
	char tmp[4096];
	const char *p = data;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(-ret));
		return ret;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!ret && durable && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
		unlink(tmp);
		return ret;
	}
	if (durable)
		xg_fsync_dir_of(path);
	return 0;
}

int xg_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	return write_via_tmp(path, data, len, true, err, errlen);
}

int xg_write_replace(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	return write_via_tmp(path, data, len, false, err, errlen);
}

int xg_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	long size;

	*out = NULL;
	if (!f) {
		int e = errno;

		if (e != ENOENT)
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		snprintf(err, errlen, "cannot read %s", path);
		return -EIO;
	}
	if ((size_t)size > max) {
		fclose(f);
		snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
		return -EFBIG;
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)size, f);
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int xg_mkdir_p(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
		return -errno;
	}
	return 0;
}
