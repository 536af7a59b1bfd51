// SPDX-License-Identifier: GPL-2.0-only
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int xg_lock(char *err, size_t errlen)
{
	int fd = open(XG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", XG_LOCK_FILE, strerror(errno));
		return -errno;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "cannot lock %s: %s", XG_LOCK_FILE, strerror(errno));
		close(fd);
		return -errno;
	}
	return fd;
}

void xg_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last fd releases the flock */
}
