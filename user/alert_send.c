// SPDX-License-Identifier: GPL-2.0-only
/* Alert transports over libcurl and datagram sockets; see alert_send.h. */
#include "alert_send.h"
#include "alert_payload.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

const char *xg_send_outcome_name(enum xg_send_outcome o)
{
	switch (o) {
	case XG_SEND_DELIVERED:
		return "delivered";
	case XG_SEND_RETRY:
		return "retry";
	case XG_SEND_PERMANENT:
		return "permanent";
	}
	return "unknown";
}

int xg_send_init(void)
{
	/* A thread-safe libcurl initialises itself on the first handle, under
	 * its own lock: leave it to that, so a daemon that never sends pays
	 * nothing for it (the TLS library's set-up is ~1.7 MB resident). */
	if (curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_THREADSAFE)
		return 0;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void xg_send_cleanup(void)
{
	curl_global_cleanup();
}

static void res_reset(struct xg_http_result *res)
{
	memset(res, 0, sizeof(*res));
}

/* res->error = "WHAT URL: DETAIL", each part redacted on its own: the
 * redactor recognises a URL only at the start of its input. */
static void set_error(struct xg_http_result *res, const char *what, const char *url,
		      const char *detail)
{
	char *u = url ? xg_alert_redact(url) : NULL;
	char *d = detail ? xg_alert_redact(detail) : NULL;

	snprintf(res->error, sizeof(res->error), "%s%s%s: %s", what, u ? " " : "", u ? u : "",
		 d ? d : (detail ? "(unprintable)" : ""));
	free(u);
	free(d);
}

int xg_send_parse_retry_after(const char *value, int64_t now, uint64_t *out_s)
{
	const char *p = value;
	uint64_t v = 0;
	time_t t;

	if (!value || !out_s)
		return -EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		for (; isdigit((unsigned char)*p); p++) {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > XG_SEND_RETRY_AFTER_MAX)
				v = XG_SEND_RETRY_AFTER_MAX; /* and no overflow */
		}
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p)
			return -EINVAL;
		*out_s = v;
		return 0;
	}
	t = curl_getdate(p, NULL);
	if (t == (time_t)-1)
		return -EINVAL;
	if ((int64_t)t <= now)
		v = 0;
	else if ((int64_t)t - now > XG_SEND_RETRY_AFTER_MAX)
		v = XG_SEND_RETRY_AFTER_MAX;
	else
		v = (uint64_t)((int64_t)t - now);
	*out_s = v;
	return 0;
}

/* The response body is not wanted; without a write callback curl would
 * print it on stdout. */
static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xg_http_result *res = ud;
	size_t n = size * nitems;
	static const char name[] = "retry-after:";
	char val[128];
	size_t vl;
	uint64_t s;

	/* A new status line starts a new response (after a 100 Continue, or
	 * a proxy's CONNECT): only the final response's header counts. */
	if (n >= 5 && !strncmp(buf, "HTTP/", 5)) {
		res->retry_after_s = 0;
		return n;
	}
	if (n <= sizeof(name) - 1 || strncasecmp(buf, name, sizeof(name) - 1))
		return n;
	vl = n - (sizeof(name) - 1);
	if (vl >= sizeof(val))
		return n; /* no valid value is that long */
	memcpy(val, buf + sizeof(name) - 1, vl);
	val[vl] = '\0';
	if (!xg_send_parse_retry_after(val, (int64_t)time(NULL), &s))
		res->retry_after_s = s;
	return n;
}

static bool has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Options both transports share: bounded, no signals (the caller may be
 * threaded, and curl's SIGALRM-based DNS timeout is not thread-safe), TLS
 * verified unless a test says otherwise. */
static int common_opts(CURL *c, const char *url, const char *protocols, long cto, long to,
		       bool insecure, const char *ca_file, char *errbuf)
{
	CURLcode rc = CURLE_OK;

	rc |= curl_easy_setopt(c, CURLOPT_URL, url);
	/* Only the protocols the sink is meant to speak: a configured URL
	 * must not read file:// or talk gopher:// to an internal host. */
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
	rc |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			       cto > 0 ? cto : (long)XG_SEND_CONNECT_TIMEOUT_MS);
	rc |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, to > 0 ? to : (long)XG_SEND_TIMEOUT_MS);
	rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
	rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
	if (ca_file)
		rc |= curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	rc |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	return rc == CURLE_OK ? 0 : -EINVAL;
}

static enum xg_send_outcome classify_http(long status)
{
	if (status >= 200 && status < 300)
		return XG_SEND_DELIVERED;
	if (status == 408 || status == 429 || status >= 500)
		return XG_SEND_RETRY;
	return XG_SEND_PERMANENT;
}

int xg_send_http(const struct xg_http_req *req, struct xg_http_result *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL, *t;
	const char *method;
	CURLcode cc;
	CURL *c;
	long status = 0;
	int ret;
	size_t i;

	if (!res)
		return -EINVAL;
	res_reset(res);
	res->outcome = XG_SEND_PERMANENT;
	if (!req || !req->url || (req->n_headers && !req->headers)) {
		set_error(res, "http", NULL, "bad request");
		return -EINVAL;
	}
	method = req->method ? req->method : "POST";
	if (has_crlf(method) || has_crlf(req->url)) {
		set_error(res, "http", NULL, "CR or LF in method or URL");
		return -EINVAL;
	}
	for (i = 0; i < req->n_headers; i++) {
		if (!req->headers[i] || has_crlf(req->headers[i]) ||
		    !strchr(req->headers[i], ':')) {
			set_error(res, "http", req->url, "malformed header");
			return -EINVAL;
		}
	}
	c = curl_easy_init();
	if (!c) {
		res->outcome = XG_SEND_RETRY;
		set_error(res, "http", req->url, "out of memory");
		return -ENOMEM;
	}
	/* "Expect:" drops curl's 100-continue handshake for bodies over 1 KiB,
	 * a round trip that alert receivers never need. */
	hl = curl_slist_append(NULL, "Expect:");
	for (i = 0; hl && i < req->n_headers; i++) {
		t = curl_slist_append(hl, req->headers[i]);
		if (!t) {
			curl_slist_free_all(hl);
			hl = NULL;
		} else {
			hl = t;
		}
	}
	if (!hl) {
		curl_easy_cleanup(c);
		res->outcome = XG_SEND_RETRY;
		set_error(res, "http", req->url, "out of memory");
		return -ENOMEM;
	}
	ret = common_opts(c, req->url, "http,https", req->connect_timeout_ms, req->timeout_ms,
			  req->insecure, req->ca_file, errbuf);
	cc = CURLE_OK;
	cc |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	cc |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	cc |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	cc |= curl_easy_setopt(c, CURLOPT_HEADERDATA, res);
	/* A redirect on a webhook is a misconfiguration; following it would
	 * also carry the body (and its secrets) somewhere unconfigured. */
	cc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (req->body) {
		cc |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		cc |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	}
	if (strcmp(method, "POST") || !req->body)
		cc |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (ret || cc != CURLE_OK) {
		curl_easy_cleanup(c);
		curl_slist_free_all(hl);
		set_error(res, method, req->url, "unsupported option");
		return -EINVAL;
	}

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);

	if (cc != CURLE_OK) {
		/* No complete response: whatever the network did, a later
		 * attempt may succeed, except for a URL we cannot use at all. */
		res->status = 0;
		res->retry_after_s = 0;
		res->outcome = (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT)
				   ? XG_SEND_PERMANENT
				   : XG_SEND_RETRY;
		set_error(res, method, req->url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
		return 0;
	}
	res->status = status;
	res->outcome = classify_http(status);
	if (res->outcome != XG_SEND_DELIVERED) {
		char detail[32];

		snprintf(detail, sizeof(detail), "HTTP %ld", status);
		set_error(res, method, req->url, detail);
	}
	return (int)status;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nitems;

	if (n > u->left)
		n = u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static enum xg_send_outcome classify_smtp(CURLcode cc, long code)
{
	if (cc == CURLE_OK)
		return XG_SEND_DELIVERED;
	/* Configuration errors: the next attempt fails the same way. */
	if (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT ||
	    cc == CURLE_LOGIN_DENIED || cc == CURLE_USE_SSL_FAILED)
		return XG_SEND_PERMANENT;
	/* SMTP's own split: 4xx is transient, 5xx is final. */
	if (code >= 500 && code < 600)
		return XG_SEND_PERMANENT;
	return XG_SEND_RETRY;
}

int xg_send_smtp(const struct xg_smtp_req *req, struct xg_http_result *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *rl = NULL, *t;
	struct upload up;
	CURLcode cc;
	CURL *c;
	long code = 0;
	int ret;
	size_t i;

	if (!res)
		return -EINVAL;
	res_reset(res);
	res->outcome = XG_SEND_PERMANENT;
	if (!req || !req->url || !req->from || !req->rcpt || !req->n_rcpt || !req->message ||
	    (req->password && !req->user)) {
		set_error(res, "smtp", NULL, "bad request");
		return -EINVAL;
	}
	if (has_crlf(req->url) || has_crlf(req->from)) {
		set_error(res, "smtp", NULL, "CR or LF in URL or sender");
		return -EINVAL;
	}
	for (i = 0; i < req->n_rcpt; i++) {
		if (!req->rcpt[i] || has_crlf(req->rcpt[i])) {
			set_error(res, "smtp", req->url, "malformed recipient");
			curl_slist_free_all(rl);
			return -EINVAL;
		}
		t = curl_slist_append(rl, req->rcpt[i]);
		if (!t) {
			curl_slist_free_all(rl);
			res->outcome = XG_SEND_RETRY;
			set_error(res, "smtp", req->url, "out of memory");
			return -ENOMEM;
		}
		rl = t;
	}
	c = curl_easy_init();
	if (!c) {
		curl_slist_free_all(rl);
		res->outcome = XG_SEND_RETRY;
		set_error(res, "smtp", req->url, "out of memory");
		return -ENOMEM;
	}
	up.p = req->message;
	up.left = req->message_len;
	ret = common_opts(c, req->url, "smtp,smtps", req->connect_timeout_ms, req->timeout_ms,
			  req->insecure, req->ca_file, errbuf);
	cc = CURLE_OK;
	cc |= curl_easy_setopt(c, CURLOPT_MAIL_FROM, req->from);
	cc |= curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rl);
	cc |= curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cc |= curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	cc |= curl_easy_setopt(c, CURLOPT_READDATA, &up);
	cc |= curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->message_len);
	if (req->user) {
		cc |= curl_easy_setopt(c, CURLOPT_USERNAME, req->user);
		cc |= curl_easy_setopt(c, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	/* USESSL_ALL: STARTTLS or fail; never fall back to plaintext, which
	 * would send the password and the report in the clear. */
	if (req->starttls)
		cc |= curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (ret || cc != CURLE_OK) {
		curl_easy_cleanup(c);
		curl_slist_free_all(rl);
		set_error(res, "smtp", req->url, "unsupported option");
		return -EINVAL;
	}

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(rl);

	res->status = code;
	res->outcome = classify_smtp(cc, code);
	if (cc != CURLE_OK)
		set_error(res, "smtp", req->url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	return (int)code;
}

static int syslog_fail(struct xg_http_result *res, int err, const char *what)
{
	if (res) {
		char detail[160];

		/* A bad target or a datagram the socket can never carry will
		 * fail the same way next time. */
		res->outcome = (err == EINVAL || err == EMSGSIZE || err == EAFNOSUPPORT)
				   ? XG_SEND_PERMANENT
				   : XG_SEND_RETRY;
		snprintf(detail, sizeof(detail), "%s: %s", what, strerror(err));
		set_error(res, "syslog", NULL, detail);
	}
	return -err;
}

/* Opens a datagram socket for target and fills addr; the fd or -errno. */
static int syslog_open(const char *target, struct sockaddr_storage *ss, socklen_t *sl,
		       const char **why)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char host[256], port[16];
	const char *hp, *colon;
	size_t hl;
	int fd, gai;

	if (!strncmp(target, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;
		const char *path = target + 5;

		*why = "target";
		if (!*path || strlen(path) >= sizeof(un->sun_path))
			return -EINVAL;
		memset(un, 0, sizeof(*un));
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path));
		*sl = (socklen_t)sizeof(*un);
		*why = "socket";
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	*why = "target";
	if (strncmp(target, "udp:", 4))
		return -EINVAL;
	hp = target + 4;
	colon = strrchr(hp, ':');
	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(port))
		return -EINVAL;
	hl = (size_t)(colon - hp);
	if (hl >= 2 && hp[0] == '[' && hp[hl - 1] == ']') {
		hp++;
		hl -= 2;
	}
	if (!hl || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, hp, hl);
	host[hl] = '\0';
	strcpy(port, colon + 1);
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	*why = "resolve";
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai) {
		if (gai == EAI_SYSTEM)
			return -errno;
		/* A name that does not resolve may resolve later; a port
		 * that is not a number never will. */
		return (gai == EAI_SERVICE || gai == EAI_BADFLAGS) ? -EINVAL : -EHOSTUNREACH;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	*why = "socket";
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	freeaddrinfo(ai);
	return fd < 0 ? -errno : fd;
}

int xg_send_syslog(const char *target, const char *line, struct xg_http_result *res)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	const char *why = "target", *p, *e;
	int fd, err = 0;

	if (res) {
		res_reset(res);
		res->outcome = XG_SEND_DELIVERED;
	}
	if (!target || !line)
		return syslog_fail(res, EINVAL, "bad request");
	fd = syslog_open(target, &ss, &sl, &why);
	if (fd < 0)
		return syslog_fail(res, -fd, why);
	for (p = line; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (e == p)
			continue;
		if (sendto(fd, p, (size_t)(e - p), MSG_NOSIGNAL, (struct sockaddr *)&ss, sl) < 0) {
			err = errno;
			break;
		}
	}
	close(fd);
	if (err)
		return syslog_fail(res, err, "send");
	return 0;
}

uint64_t xg_send_backoff_ns(unsigned attempt, double jitter01, uint64_t retry_after_s)
{
	uint64_t window_s, d, floor_ns;

	if (attempt == 0)
		attempt = 1;
	/* 2^(attempt-1) s, without shifting past the cap (or past 64 bits). */
	window_s = attempt - 1 >= 9 ? XG_SEND_BACKOFF_CAP_S : (uint64_t)1 << (attempt - 1);
	if (window_s > XG_SEND_BACKOFF_CAP_S)
		window_s = XG_SEND_BACKOFF_CAP_S;
	if (!(jitter01 >= 0.0)) /* also NaN */
		jitter01 = 0.0;
	if (jitter01 >= 1.0)
		jitter01 = nextafter(1.0, 0.0);
	d = (uint64_t)(jitter01 * (double)(window_s * 1000000000ULL));
	if (retry_after_s > XG_SEND_RETRY_AFTER_MAX)
		retry_after_s = XG_SEND_RETRY_AFTER_MAX;
	floor_ns = retry_after_s * 1000000000ULL;
	return d < floor_ns ? floor_ns : d;
}
