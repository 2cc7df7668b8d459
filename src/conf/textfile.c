/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place in conf that reads files. The checks run on the opened
 * descriptor (fstat), so a file swapped between check and read cannot slip
 * past them; symbolic links are followed because /etc files often are. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "conf/textfile.h"

/* The name of a file's owner for a message: the user name, else the
 * number. */
static void owner_name(uid_t uid, char *out, size_t size)
{
	const struct passwd *pw = getpwuid(uid);

	if (pw != NULL && pw->pw_name != NULL)
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "%lu", (unsigned long)uid);
}

/* Each message says what is wrong, then the one fix its reader can make:
 * the owner (or root) gets the chmod, anyone else whom to ask. */
int textfile_check_secret(const char *path, const struct textfile_info *info, struct error *err)
{
	uid_t me = geteuid();
	unsigned mode = info->mode & 0777;
	/* What it should be: the owner's bits, and the group's read bit. */
	unsigned fixed = (mode & 0700) | (mode & 040);
	bool can_fix = me == 0 || me == info->uid;
	char owner[64] = "";

	if (!info->known)
		return 0;
	/* The owner's name is for a message only: no passwd lookup for a
	 * file that passes. */
	if ((mode & 077) != 0 && info->uid != 0 && info->uid != me)
		owner_name(info->uid, owner, sizeof(owner));
	if ((mode & 022) != 0 && can_fix) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords, so only its owner may write to it (mode %04o); "
			    "fix it with: chmod %04o %s"),
			  path, mode, fixed, path);
	} else if ((mode & 022) != 0 && info->uid == 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords, so only its owner may write to it (mode %04o); "
			    "it belongs to root: ask an administrator to run: chmod %04o %s"),
			  path, mode, fixed, path);
	} else if ((mode & 022) != 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords, so only its owner may write to it (mode %04o); "
			    "it belongs to %s: ask them to run: chmod %04o %s"),
			  path, mode, owner, fixed, path);
	} else if ((mode & 007) != 0 && info->uid == 0 && info->readonly_mount) {
		/* A container's secret mount (textfile.h). */
		log_verbose(_("%s holds passwords and others may read it (mode %04o), but it "
			      "belongs to root on a read-only mount of its own (a container's "
			      "secret): accepted"),
			    path, mode);
		return 0;
	} else if ((mode & 007) != 0 && can_fix) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords and must not be readable by others (mode %04o); "
			    "fix it with: chmod %04o %s"),
			  path, mode, fixed, path);
	} else if ((mode & 007) != 0 && info->uid == 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords and must not be readable by others (mode %04o); "
			    "it belongs to root: ask an administrator to run: chmod %04o %s"),
			  path, mode, fixed, path);
	} else if ((mode & 007) != 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords and must not be readable by others (mode %04o); "
			    "it belongs to %s: ask them to run: chmod %04o %s"),
			  path, mode, owner, fixed, path);
	} else if ((mode & 070) != 0 && info->uid != 0 && me == 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords and is readable by its group, which is allowed "
			    "only when it belongs to root or to you (it belongs to %s, mode %04o); "
			    "fix it with: chown root %s"),
			  path, owner, mode, path);
	} else if ((mode & 070) != 0 && info->uid != 0 && info->uid != me) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords and is readable by its group, which is allowed "
			    "only when it belongs to root or to you (it belongs to %s, mode %04o); "
			    "ask an administrator to run: chown root %s"),
			  path, owner, mode, path);
	} else {
		return 0;
	}
	return -1;
}

/* A read-only file system that is a mount of its own: not the root file
 * system (an appliance's read-only /etc is no secret mount). */
static bool readonly_mount(int fd, const struct stat *st)
{
	struct statvfs vfs;
	struct stat root;

	return fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0 && stat("/", &root) == 0 &&
	       root.st_dev != st->st_dev;
}

/* want_mount: the caller may check the file as a secret (secret, or it
 * keeps info for a later check); only then, and only for a file of root's
 * that others may read, does readonly_mount matter. */
static int check_mode(int fd, const char *path, bool want_mount, struct textfile_info *info,
		      struct error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		error_set_errno(err, ERROR_CONFIG, errno, _("cannot examine %s"), path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, ERROR_CONFIG, _("%s is not a regular file"), path);
		return -1;
	}
	if ((unsigned long long)st.st_size > TEXTFILE_MAX) {
		error_set(err, ERROR_CONFIG, _("%s is larger than %zu bytes"), path, TEXTFILE_MAX);
		return -1;
	}
	info->known = true;
	info->size = (size_t)st.st_size;
	info->mode = (unsigned)(st.st_mode & 07777);
	info->uid = st.st_uid;
	info->readonly_mount =
	    want_mount && (st.st_mode & 007) != 0 && st.st_uid == 0 && readonly_mount(fd, &st);
	return 0;
}

static int read_all(int fd, const char *path, struct buf *out, struct error *err)
{
	for (;;) {
		size_t room = out->max - out->len, want;
		ssize_t n;

		if (room == 0) {
			error_set(err, ERROR_CONFIG, _("%s is larger than %zu bytes"), path,
				  TEXTFILE_MAX);
			return -1;
		}
		want = room < 4096 ? room : 4096;
		if (buf_reserve(out, want) < 0) {
			error_set_errno(err, ERROR_INTERNAL, errno, _("cannot read %s"), path);
			return -1;
		}
		n = read(fd, out->data + out->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set_errno(err, ERROR_CONFIG, errno, _("cannot read %s"), path);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	if (out->len > 0 && memchr(out->data, '\0', out->len) != NULL) {
		error_set(err, ERROR_CONFIG, _("%s holds a NUL byte; it is not a text file"), path);
		return -1;
	}
	return 0;
}

int textfile_read_info(const char *path, bool secret, struct buf *out, bool *absent,
		       struct textfile_info *info, struct error *err)
{
	struct textfile_info seen = { 0 };
	int fd, rc;

	if (absent != NULL)
		*absent = false;
	if (info != NULL)
		*info = seen;
	buf_reset(out);
	out->max = TEXTFILE_MAX + 1;
	/* A configuration file may hold an inline: password too. */
	out->secret = true;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && absent != NULL)
			*absent = true;
		error_set_errno(err, ERROR_CONFIG, errno, _("cannot open %s"), path);
		return -1;
	}
	rc = check_mode(fd, path, secret || info != NULL, &seen, err);
	if (rc == 0 && secret)
		rc = textfile_check_secret(path, &seen, err);
	/* read_all reserves room before its first read, so even an empty
	 * file leaves out->data a (NUL-terminated) string. Room for the whole
	 * file first: one allocation, not a move (and a wipe) per 4 KiB. */
	if (rc == 0 &&
	    buf_reserve(out, seen.size + 4096 < out->max ? seen.size + 4096 : out->max) < 0) {
		error_set_errno(err, ERROR_INTERNAL, errno, _("cannot read %s"), path);
		rc = -1;
	}
	if (rc == 0)
		rc = read_all(fd, path, out, err);
	close(fd);
	if (rc == 0 && info != NULL)
		*info = seen;
	return rc;
}

int textfile_read(const char *path, bool secret, struct buf *out, bool *absent, struct error *err)
{
	return textfile_read_info(path, secret, out, absent, NULL, err);
}
