// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helper programs by argument vector, with a timeout (see runprog.h).
 */
#include "runprog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xg_spawn(char *const argv[], const char *input, int timeout_ms, char *out, size_t outlen,
	     int *status)
{
	int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def;
	size_t in_len = input ? strlen(input) : 0, in_off = 0, used = 0;
	int64_t deadline = mono_ms() + timeout_ms;
	bool timed_out = false;
	int ret, wst = 0;
	pid_t pid;

	if (outlen)
		out[0] = '\0';
	*status = -1;
	if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC)) {
		ret = -errno;
		goto close_pipes;
	}
	/* The daemon ignores SIGPIPE; the child gets the default back. */
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 2);
	ret = -posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in_pipe[0]);
	close(out_pipe[1]);
	in_pipe[0] = out_pipe[1] = -1;
	if (ret)
		goto close_pipes;
	fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
	if (!in_len) {
		close(in_pipe[1]);
		in_pipe[1] = -1;
	}
	/* Feed stdin and drain stdout together: a child that writes before it
	 * reads all its input must not deadlock against us. */
	for (;;) {
		struct pollfd p[2];
		int n = 0, left = (int)(deadline - mono_ms());
		char buf[4096];

		if (left <= 0) {
			timed_out = true;
			break;
		}
		p[n++] = (struct pollfd){.fd = out_pipe[0], .events = POLLIN};
		if (in_pipe[1] >= 0)
			p[n++] = (struct pollfd){.fd = in_pipe[1], .events = POLLOUT};
		if (poll(p, n, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n > 1 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in_pipe[1], input + in_off, in_len - in_off);

			if (w > 0)
				in_off += (size_t)w;
			if (w < 0 && errno != EAGAIN) /* the child closed its stdin */
				in_off = in_len;
			if (in_off >= in_len) {
				close(in_pipe[1]);
				in_pipe[1] = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(out_pipe[0], buf, sizeof(buf));

			if (r == 0)
				break;
			if (r < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				break;
			}
			if (outlen && used < outlen - 1) {
				size_t c =
				    (size_t)r < outlen - 1 - used ? (size_t)r : outlen - 1 - used;

				memcpy(out + used, buf, c);
				used += c;
				out[used] = '\0';
			}
		}
	}
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		ret = -ETIMEDOUT;
	} else if (WIFEXITED(wst)) {
		*status = WEXITSTATUS(wst);
		/* posix_spawnp reports a missing program as exit 127 */
		ret = *status == 127 && !used ? -ENOENT : 0;
	} else {
		*status = 128 + WTERMSIG(wst);
	}
close_pipes:
	if (in_pipe[0] >= 0)
		close(in_pipe[0]);
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	if (out_pipe[0] >= 0)
		close(out_pipe[0]);
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
	return ret;
}

void xg_spawn_format(char *const argv[], char *buf, size_t len)
{
	size_t off = 0;
	int i;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; argv[i] && off < len; i++) {
		bool quote = !argv[i][0] || strpbrk(argv[i], " \t\n'\"\\$`;|&<>(){}*?[]#~") != NULL;
		int n = snprintf(buf + off, len - off, quote ? "%s'%s'" : "%s%s", i ? " " : "",
				 argv[i]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}
