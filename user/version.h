/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XG_VERSION_H
#define XG_VERSION_H

#define XG_VERSION "0.1.0"

#endif
