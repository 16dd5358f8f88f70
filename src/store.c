/* The embedded store: one SQLite database (WAL mode) per host. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/sbuf.h"
#include "resolvstale/sock.h"
#include "resolvstale/strnum.h"
#include "resolvstale/store.h"
#include "store_internal.h"

/* "RSta": marks a database as resolvstale's (PRAGMA application_id). */
#define RS_APPLICATION_ID 0x52537461

/* Forward migrations: entry i takes a database from version i to i + 1.
 * Never edit an entry once released; append a new one. */
static const char *const migrations[] = {
	/* 0 -> 1: generations with their nameserver sets. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE generations ("
	" number INTEGER PRIMARY KEY,"
	" time_ns INTEGER NOT NULL,"
	" path TEXT NOT NULL,"
	" nameservers TEXT NOT NULL,"
	" retired TEXT NOT NULL,"
	" added TEXT NOT NULL);",

	/* 1 -> 2: the file's identity and parsed options per generation, the
	 * writer, and file events that did not change the configuration. */
	"ALTER TABLE generations ADD COLUMN at_start INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE generations ADD COLUMN target TEXT;"
	"ALTER TABLE generations ADD COLUMN state TEXT NOT NULL DEFAULT 'ok';"
	"ALTER TABLE generations ADD COLUMN err INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE generations ADD COLUMN dev INTEGER;"
	"ALTER TABLE generations ADD COLUMN inode INTEGER;"
	"ALTER TABLE generations ADD COLUMN size INTEGER;"
	"ALTER TABLE generations ADD COLUMN mtime_ns INTEGER;"
	"ALTER TABLE generations ADD COLUMN ctime_ns INTEGER;"
	"ALTER TABLE generations ADD COLUMN mode INTEGER;"
	"ALTER TABLE generations ADD COLUMN uid INTEGER;"
	"ALTER TABLE generations ADD COLUMN hash TEXT;"
	"ALTER TABLE generations ADD COLUMN default_ns INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE generations ADD COLUMN ignored TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE generations ADD COLUMN search TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE generations ADD COLUMN sortlist TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE generations ADD COLUMN options TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE generations ADD COLUMN config_key TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE generations ADD COLUMN warnings TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE generations ADD COLUMN n_warnings INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE generations ADD COLUMN content BLOB;"
	"ALTER TABLE generations ADD COLUMN writer_pid INTEGER;"
	"ALTER TABLE generations ADD COLUMN writer_starttime INTEGER;"
	"ALTER TABLE generations ADD COLUMN writer_uid INTEGER;"
	"ALTER TABLE generations ADD COLUMN writer_auid INTEGER;"
	"ALTER TABLE generations ADD COLUMN writer_comm TEXT;"
	"ALTER TABLE generations ADD COLUMN writer_exe TEXT;"
	"CREATE TABLE file_events ("
	" id INTEGER PRIMARY KEY,"
	" time_ns INTEGER NOT NULL,"
	" generation INTEGER NOT NULL,"
	" change TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" target TEXT,"
	" state TEXT NOT NULL,"
	" inode INTEGER, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, hash TEXT,"
	" reasons TEXT NOT NULL DEFAULT '',"
	" writer_pid INTEGER, writer_starttime INTEGER, writer_uid INTEGER,"
	" writer_auid INTEGER, writer_comm TEXT, writer_exe TEXT);"
	"CREATE INDEX file_events_generation ON file_events (generation, time_ns);",

	/* 2 -> 3: processes (facts and resolver runtime) and the sockets to
	 * port 53 the /proc scanner found, keyed by (pid, starttime). */
	"CREATE TABLE processes ("
	" pid INTEGER NOT NULL, starttime INTEGER NOT NULL,"
	" start_ns INTEGER, first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL,"
	" exit_ns INTEGER,"
	" ppid INTEGER, uid INTEGER, auid INTEGER, comm TEXT, exe TEXT, cmdline TEXT,"
	" unit TEXT, user_unit INTEGER NOT NULL DEFAULT 0, container_kind TEXT,"
	" container_id TEXT, pod_uid TEXT, netns INTEGER, mntns INTEGER,"
	" config_domain TEXT, config_ns TEXT,"
	" runtime TEXT, reload_rule TEXT, runtime_detail TEXT, runtime_evidence TEXT,"
	" PRIMARY KEY (pid, starttime));"
	"CREATE TABLE sockets ("
	" pid INTEGER NOT NULL, starttime INTEGER NOT NULL, inode INTEGER NOT NULL,"
	" proto TEXT NOT NULL, local TEXT, lport INTEGER, remote TEXT NOT NULL,"
	" rport INTEGER NOT NULL, state TEXT, netns INTEGER, fd INTEGER,"
	" first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL,"
	" generation INTEGER NOT NULL,"
	" PRIMARY KEY (pid, starttime, inode));"
	"CREATE INDEX sockets_remote ON sockets (remote, last_seen_ns);",
	/* 3 -> 4: evidence aggregated per process and generation, verdicts,
	 * lost events. */
	"CREATE TABLE evidence ("
	" generation INTEGER NOT NULL, pid INTEGER NOT NULL, starttime INTEGER NOT NULL,"
	" kind TEXT NOT NULL, source TEXT NOT NULL, dst TEXT NOT NULL, port INTEGER NOT NULL,"
	" proto TEXT NOT NULL, syscall TEXT NOT NULL, inferred INTEGER NOT NULL,"
	" first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, count INTEGER NOT NULL,"
	" PRIMARY KEY (generation, pid, starttime, kind, source, dst, port, proto, syscall,"
	" inferred)) WITHOUT ROWID;"
	"CREATE TABLE verdicts ("
	" generation INTEGER NOT NULL, pid INTEGER NOT NULL, starttime INTEGER NOT NULL,"
	" verdict TEXT NOT NULL, reason TEXT NOT NULL, decided_ns INTEGER NOT NULL,"
	" first_seen_ns INTEGER NOT NULL, last_stale_ns INTEGER, stale_count INTEGER NOT NULL,"
	" stale_dst TEXT, explicit_server INTEGER NOT NULL, own_file_lists INTEGER NOT NULL,"
	" exited INTEGER NOT NULL, seq_last_stale_ns INTEGER NOT NULL,"
	" seq_new_after INTEGER NOT NULL, seq_new_before INTEGER NOT NULL,"
	" PRIMARY KEY (generation, pid, starttime)) WITHOUT ROWID;"
	"CREATE INDEX verdicts_verdict ON verdicts (generation, verdict);"
	"CREATE TABLE lost ("
	" generation INTEGER NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL,"
	" count INTEGER NOT NULL, events INTEGER NOT NULL, first_ns INTEGER NOT NULL,"
	" last_ns INTEGER NOT NULL, PRIMARY KEY (generation, source, reason));",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

_Static_assert(N_MIGRATIONS == RS_STORE_SCHEMA_VERSION, "one migration per schema version");

#define GEN_COLUMNS                                                                                \
	"number, time_ns, path, nameservers, retired, added, at_start, target, state, err, "       \
	"dev, inode, size, mtime_ns, ctime_ns, mode, uid, hash, default_ns, ignored, search, "     \
	"sortlist, options, config_key, warnings, n_warnings, content, writer_pid, "               \
	"writer_starttime, writer_uid, writer_auid, writer_comm, writer_exe"

static int set_err(struct rs_store *st, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(struct rs_store *st, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
	va_end(ap);
	return r;
}

/* Map an SQLite result to a negative errno and remember SQLite's words. */
int rs_store_sql_err(struct rs_store *st, int rc, const char *what)
{
	int r;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		r = -EBUSY;
		break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		r = -EBADMSG;
		break;
	case SQLITE_READONLY:
		r = -EROFS;
		break;
	case SQLITE_FULL:
		r = -ENOSPC;
		break;
	case SQLITE_NOMEM:
		r = -ENOMEM;
		break;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		r = -EACCES;
		break;
	case SQLITE_CANTOPEN: {
		int e = st->db ? sqlite3_system_errno(st->db) : 0;
		r = e > 0 ? -e : -EIO;
		break;
	}
	default:
		r = -EIO;
	}
	return set_err(st, r, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

static int exec(struct rs_store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : rs_store_sql_err(st, rc, what);
}

static int pragma_int(struct rs_store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read the database");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : rs_store_sql_err(st, rc, "cannot read the database");
}

/* Make sure the directory exists (creating only its last component, 0700)
 * and is writable. */
static int check_dir(struct rs_store *st, const char *path)
{
	char *copy = strdup(path), *dir;
	struct stat sb;
	int r = 0;

	if (copy == NULL)
		return -ENOMEM;
	dir = dirname(copy);
	if (stat(dir, &sb) < 0) {
		if (errno != ENOENT) {
			r = set_err(st, -errno, "cannot use directory %s: %s", dir,
				    strerror(errno));
		} else if (mkdir(dir, 0700) < 0) {
			r = set_err(st, -errno, "cannot create directory %s: %s", dir,
				    strerror(errno));
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		r = set_err(st, -ENOTDIR, "%s is not a directory", dir);
	} else if (access(dir, W_OK | X_OK) < 0) {
		r = set_err(st, -errno, "cannot write to directory %s: %s", dir, strerror(errno));
	}
	free(copy);
	return r;
}

int32_t rs_store_writer_pid(const char *path)
{
	char lockpath[PATH_MAX], pidbuf[32];
	uint64_t pid = 0;
	ssize_t got;
	int fd;

	if (snprintf(lockpath, sizeof(lockpath), "%s.lock", path) >= (int)sizeof(lockpath))
		return 0;
	fd = open(lockpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK) {
		close(fd);
		return 0; /* nobody holds it */
	}
	got = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
	close(fd);
	pidbuf[got > 0 ? got : 0] = '\0';
	pidbuf[strcspn(pidbuf, "\n")] = '\0';
	if (rs_strtou64(pidbuf, 1, INT32_MAX, &pid) < 0)
		return -1;
	return (int32_t)pid;
}

static int take_lock(struct rs_store *st, const char *path)
{
	char lockpath[PATH_MAX], pidbuf[32];
	int fd, n;

	if (snprintf(lockpath, sizeof(lockpath), "%s.lock", path) >= (int)sizeof(lockpath))
		return set_err(st, -ENAMETOOLONG, "path too long");
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return set_err(st, -errno, "cannot open lock file %s: %s", lockpath,
			       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t got = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
		close(fd);
		if (e == EWOULDBLOCK) {
			pidbuf[got > 0 ? got : 0] = '\0';
			pidbuf[strcspn(pidbuf, "\n")] = '\0';
			return set_err(st, -EBUSY,
				       "in use by another resolvstale writer (pid %s; lock %s)",
				       pidbuf[0] ? pidbuf : "unknown", lockpath);
		}
		return set_err(st, -e, "cannot lock %s: %s", lockpath, strerror(e));
	}
	n = snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pidbuf, (size_t)n, 0) != n) {
		/* The lock holds without the pid; it only makes messages nicer. */
	}
	st->lock_fd = fd;
	return 0;
}

static int migrate(struct rs_store *st, int64_t from, int to)
{
	char sql[96];
	int r;

	r = exec(st, "BEGIN IMMEDIATE", "cannot start the schema upgrade");
	if (r < 0)
		return r;
	for (int v = (int)from; v < to; v++) {
		r = exec(st, migrations[v], "cannot upgrade the schema");
		if (r < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d;", to,
		 RS_APPLICATION_ID);
	r = exec(st, sql, "cannot upgrade the schema");
	if (r < 0)
		goto fail;
	return exec(st, "COMMIT", "cannot commit the schema upgrade");
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int prepare(struct rs_store *st)
{
	int rc = sqlite3_prepare_v3(
		st->db,
		"INSERT INTO generations (" GEN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		"?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
		"?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)",
		-1, SQLITE_PREPARE_PERSISTENT, &st->ins_gen, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot prepare statements");
	rc = sqlite3_prepare_v3(
		st->db,
		"INSERT INTO file_events (time_ns, generation, change, path, target, state, inode, "
		"size, mtime_ns, ctime_ns, hash, reasons, writer_pid, writer_starttime, "
		"writer_uid, "
		"writer_auid, writer_comm, writer_exe) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
		-1, SQLITE_PREPARE_PERSISTENT, &st->ins_fev, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot prepare statements");
	rc = sqlite3_prepare_v3(
		st->db,
		"INSERT INTO processes (pid, starttime, start_ns, first_seen_ns, last_seen_ns, "
		"ppid, "
		"uid, auid, comm, exe, cmdline, unit, user_unit, container_kind, container_id, "
		"pod_uid, netns, mntns, config_domain, config_ns, runtime, reload_rule, "
		"runtime_detail, runtime_evidence) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23) "
		"ON CONFLICT (pid, starttime) DO UPDATE SET last_seen_ns = excluded.last_seen_ns, "
		"comm = excluded.comm, exe = excluded.exe, cmdline = excluded.cmdline, "
		"unit = excluded.unit, user_unit = excluded.user_unit, "
		"container_kind = excluded.container_kind, container_id = excluded.container_id, "
		"pod_uid = excluded.pod_uid, netns = excluded.netns, mntns = excluded.mntns, "
		"config_domain = excluded.config_domain, config_ns = excluded.config_ns, "
		"runtime = coalesce(excluded.runtime, runtime), "
		"reload_rule = coalesce(excluded.reload_rule, reload_rule), "
		"runtime_detail = coalesce(excluded.runtime_detail, runtime_detail), "
		"runtime_evidence = coalesce(excluded.runtime_evidence, runtime_evidence)",
		-1, SQLITE_PREPARE_PERSISTENT, &st->up_proc, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot prepare statements");
	rc = sqlite3_prepare_v3(
		st->db,
		"INSERT INTO sockets (pid, starttime, inode, proto, local, lport, remote, rport, "
		"state, netns, fd, first_seen_ns, last_seen_ns, generation) VALUES (?1, ?2, ?3, "
		"?4, "
		"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13) ON CONFLICT (pid, starttime, inode) "
		"DO UPDATE SET last_seen_ns = excluded.last_seen_ns, state = excluded.state, "
		"remote = excluded.remote, rport = excluded.rport, generation = "
		"excluded.generation",
		-1, SQLITE_PREPARE_PERSISTENT, &st->up_sock, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot prepare statements");
	return rs_store_prepare_verdicts(st);
}

static int open_checked(struct rs_store *st, const char *path, int flags)
{
	int64_t app_id = 0, version = 0, tables = 0;
	mode_t old_umask;
	int rc, r;

	old_umask = umask(077); /* the database lists processes and users */
	rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
	umask(old_umask);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot open");
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);

	r = pragma_int(st, "PRAGMA application_id", &app_id);
	if (r == -EBADMSG)
		return set_err(st, r, "not an SQLite database, or corrupt (%s)",
			       sqlite3_errmsg(st->db));
	if (r < 0)
		return r;
	if ((r = pragma_int(st, "PRAGMA user_version", &version)) < 0 ||
	    (r = pragma_int(st, "SELECT count(*) FROM sqlite_master", &tables)) < 0)
		return r;
	/* An empty file (a first start interrupted before the first commit) is
	 * ours to initialise; anything else must carry our application id. */
	if (app_id != RS_APPLICATION_ID && (app_id != 0 || tables > 0 || version != 0))
		return set_err(st, -EPROTO,
			       "not a resolvstale database (another application's SQLite file)");
	if (version > RS_STORE_SCHEMA_VERSION)
		return set_err(st, -EPROTO,
			       "schema version %lld is newer than this resolvstale knows (%d): "
			       "upgrade resolvstale",
			       (long long)version, RS_STORE_SCHEMA_VERSION);
	if (st->mode == RS_STORE_READ) {
		if (version == 0 && tables == 0)
			return set_err(st, -EPROTO,
				       "the database is empty: no generation recorded yet (start "
				       "the daemon)");
		if (version < RS_STORE_SCHEMA_VERSION)
			return set_err(st, -EPROTO,
				       "schema version %lld is older than this resolvstale's (%d): "
				       "start the daemon once to upgrade it",
				       (long long)version, RS_STORE_SCHEMA_VERSION);
		return 0;
	}
	{
		sqlite3_stmt *s = NULL;
		const unsigned char *jm = NULL;
		rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
		if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			jm = sqlite3_column_text(s, 0);
		if (jm == NULL || strcmp((const char *)jm, "wal") != 0) {
			rc = sqlite3_errcode(st->db);
			sqlite3_finalize(s);
			return rs_store_sql_err(st, rc ? rc : SQLITE_ERROR,
						"cannot switch to WAL mode");
		}
		sqlite3_finalize(s);
	}
	r = exec(st, "PRAGMA synchronous = NORMAL", "cannot configure the database");
	if (r < 0)
		return r;
	if (version < RS_STORE_SCHEMA_VERSION) {
		r = migrate(st, version, RS_STORE_SCHEMA_VERSION);
		if (r < 0)
			return r;
	}
	return prepare(st);
}

int rs_store_open(const char *path, enum rs_store_mode mode, struct rs_store **out, char *err,
		  size_t errlen)
{
	struct rs_store *st;
	struct stat sb;
	int r;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->lock_fd = -1;
	st->mode = mode;
	if (mode == RS_STORE_READ) {
		if (stat(path, &sb) < 0) {
			r = set_err(st, -errno, "%s%s", strerror(errno),
				    errno == ENOENT ? " (no generation recorded yet: start the "
						      "daemon, e.g. sudo make run)"
						    : "");
			goto fail;
		}
		r = open_checked(st, path, SQLITE_OPEN_READONLY);
	} else {
		r = check_dir(st, path);
		if (r == 0)
			r = take_lock(st, path);
		if (r == 0)
			r = open_checked(st, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	}
	if (r < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	snprintf(err, errlen, "%s", st->errmsg);
	rs_store_close(st);
	return r;
}

int rs_store_flush(struct rs_store *st)
{
	int rc;

	if (!st->in_tx)
		return 0;
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int r = rs_store_sql_err(st, rc, "cannot commit");
		/* SQLite may have rolled the transaction back (disk full). */
		if (sqlite3_get_autocommit(st->db))
			st->in_tx = false;
		return r;
	}
	st->in_tx = false;
	return 0;
}

bool rs_store_has_pending(const struct rs_store *st)
{
	return st->in_tx;
}

int rs_store_close(struct rs_store *st)
{
	int r = 0;

	if (st == NULL)
		return 0;
	if (st->db != NULL && st->in_tx)
		r = rs_store_flush(st);
	sqlite3_finalize(st->ins_gen);
	sqlite3_finalize(st->ins_fev);
	sqlite3_finalize(st->up_proc);
	sqlite3_finalize(st->up_sock);
	rs_store_finalize_verdicts(st);
	if (st->db != NULL)
		sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
	return r;
}

const char *rs_store_errmsg(const struct rs_store *st)
{
	return st->errmsg;
}

int rs_store_schema_version(struct rs_store *st)
{
	int64_t v = 0;
	int r = pragma_int(st, "PRAGMA user_version", &v);

	return r < 0 ? r : (int)v;
}

int rs_store_begin(struct rs_store *st)
{
	int r;

	if (st->mode != RS_STORE_WRITE)
		return set_err(st, -EROFS, "the store is open read-only");
	if (st->in_tx)
		return 0;
	r = exec(st, "BEGIN IMMEDIATE", "cannot start a transaction");
	if (r == 0)
		st->in_tx = true;
	return r;
}

int rs_store_meta_get(struct rs_store *st, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc, r = -ENOENT;

	rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read meta");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);
		snprintf(buf, len, "%s", v ? (const char *)v : "");
		r = 0;
	} else if (rc != SQLITE_DONE) {
		r = rs_store_sql_err(st, rc, "cannot read meta");
	}
	sqlite3_finalize(s);
	return r;
}

int rs_store_meta_set(struct rs_store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	r = rs_store_begin(st);
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot write meta");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot write meta");
}

int rs_store_meta_delete(struct rs_store *st, const char *key)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	r = rs_store_begin(st);
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM meta WHERE key = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot write meta");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot write meta");
}

void rs_store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_hash(sqlite3_stmt *s, int i, uint64_t h, char *buf)
{
	snprintf(buf, 17, "%016llx", (unsigned long long)h);
	sqlite3_bind_text(s, i, buf, -1, SQLITE_STATIC);
}

static void bind_writer(sqlite3_stmt *s, int first, const struct rs_writer *w)
{
	if (!w->known) {
		for (int i = 0; i < 6; i++)
			sqlite3_bind_null(s, first + i);
		return;
	}
	sqlite3_bind_int64(s, first, w->pid);
	sqlite3_bind_int64(s, first + 1, (sqlite3_int64)w->starttime);
	if (w->uid >= 0)
		sqlite3_bind_int64(s, first + 2, w->uid);
	else
		sqlite3_bind_null(s, first + 2);
	if (w->auid >= 0)
		sqlite3_bind_int64(s, first + 3, w->auid);
	else
		sqlite3_bind_null(s, first + 3);
	rs_store_bind_text(s, first + 4, w->comm);
	rs_store_bind_text(s, first + 5, w->exe);
}

int rs_store_add_generation(struct rs_store *st, const struct rs_generation *g)
{
	struct rs_sbuf ns = RS_SBUF_INIT, ret = RS_SBUF_INIT, add = RS_SBUF_INIT;
	sqlite3_stmt *s = st->ins_gen;
	char hash[17];
	int rc, r;

	r = rs_store_begin(st);
	if (r < 0)
		return r;
	rs_addrs_join(g->ns, g->n_ns, &ns);
	rs_addrs_join(g->retired, g->n_retired, &ret);
	rs_addrs_join(g->added, g->n_added, &add);
	if (rs_sbuf_failed(&ns) || rs_sbuf_failed(&ret) || rs_sbuf_failed(&add)) {
		r = set_err(st, -ENOMEM, "out of memory");
		goto out;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, g->number);
	sqlite3_bind_int64(s, 2, g->time_ns);
	rs_store_bind_text(s, 3, g->path ? g->path : "");
	sqlite3_bind_text(s, 4, rs_sbuf_str(&ns), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rs_sbuf_str(&ret), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, rs_sbuf_str(&add), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, g->at_start);
	rs_store_bind_text(s, 8, g->target);
	sqlite3_bind_text(s, 9, rs_file_state_name(g->id.state), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 10, g->id.err);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)g->id.dev);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)g->id.ino);
	sqlite3_bind_int64(s, 13, g->id.size);
	sqlite3_bind_int64(s, 14, g->id.mtime_ns);
	sqlite3_bind_int64(s, 15, g->id.ctime_ns);
	sqlite3_bind_int64(s, 16, g->id.mode);
	sqlite3_bind_int64(s, 17, g->id.uid);
	bind_hash(s, 18, g->id.hash, hash);
	sqlite3_bind_int(s, 19, g->default_ns);
	rs_store_bind_text(s, 20, g->ignored ? g->ignored : "");
	rs_store_bind_text(s, 21, g->search ? g->search : "");
	rs_store_bind_text(s, 22, g->sortlist ? g->sortlist : "");
	rs_store_bind_text(s, 23, g->options ? g->options : "");
	rs_store_bind_text(s, 24, g->key ? g->key : "");
	rs_store_bind_text(s, 25, g->warnings ? g->warnings : "");
	sqlite3_bind_int64(s, 26, g->n_warnings);
	if (g->content != NULL)
		sqlite3_bind_blob(s, 27, g->content, (int)g->content_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 27);
	bind_writer(s, 28, &g->writer);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	r = rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot record the generation");
out:
	sqlite3_clear_bindings(s);
	rs_sbuf_free(&ns);
	rs_sbuf_free(&ret);
	rs_sbuf_free(&add);
	return r;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

static enum rs_file_state state_from(const char *s)
{
	if (strcmp(s, "empty") == 0)
		return RS_FILE_EMPTY;
	if (strcmp(s, "missing") == 0)
		return RS_FILE_MISSING;
	if (strcmp(s, "unreadable") == 0)
		return RS_FILE_UNREADABLE;
	return RS_FILE_OK;
}

static uint64_t hash_from(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strtoull((const char *)t, NULL, 16) : 0;
}

static void split_addrs(sqlite3_stmt *s, int i, struct rs_addr *out, size_t *n)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	int k = rs_addrs_split(t ? (const char *)t : "", out, RS_RC_MAXNS);

	*n = k > 0 ? (size_t)k : 0;
}

static int row_to_generation(struct rs_store *st, sqlite3_stmt *s, struct rs_generation *g)
{
	const void *blob;
	int blen;

	rs_generation_clear(g);
	g->number = sqlite3_column_int64(s, 0);
	g->time_ns = sqlite3_column_int64(s, 1);
	g->path = col_dup(s, 2);
	split_addrs(s, 3, g->ns, &g->n_ns);
	split_addrs(s, 4, g->retired, &g->n_retired);
	split_addrs(s, 5, g->added, &g->n_added);
	g->at_start = sqlite3_column_int(s, 6) != 0;
	g->target = col_dup(s, 7);
	g->id.state = state_from(sqlite3_column_text(s, 8) ? (const char *)sqlite3_column_text(s, 8)
							   : "ok");
	g->id.err = sqlite3_column_int(s, 9);
	g->id.dev = (uint64_t)sqlite3_column_int64(s, 10);
	g->id.ino = (uint64_t)sqlite3_column_int64(s, 11);
	g->id.size = sqlite3_column_int64(s, 12);
	g->id.mtime_ns = sqlite3_column_int64(s, 13);
	g->id.ctime_ns = sqlite3_column_int64(s, 14);
	g->id.mode = (uint32_t)sqlite3_column_int64(s, 15);
	g->id.uid = (uint32_t)sqlite3_column_int64(s, 16);
	g->id.hash = hash_from(s, 17);
	g->default_ns = sqlite3_column_int(s, 18) != 0;
	g->ignored = col_dup(s, 19);
	g->search = col_dup(s, 20);
	g->sortlist = col_dup(s, 21);
	g->options = col_dup(s, 22);
	g->key = col_dup(s, 23);
	g->warnings = col_dup(s, 24);
	g->n_warnings = (unsigned)sqlite3_column_int64(s, 25);
	blob = sqlite3_column_blob(s, 26);
	blen = sqlite3_column_bytes(s, 26);
	if (blob != NULL && blen > 0) {
		g->content = malloc((size_t)blen);
		if (g->content != NULL) {
			memcpy(g->content, blob, (size_t)blen);
			g->content_len = (size_t)blen;
		}
	}
	if (sqlite3_column_type(s, 27) != SQLITE_NULL) {
		g->writer.known = true;
		g->writer.pid = (int32_t)sqlite3_column_int64(s, 27);
		g->writer.starttime = (uint64_t)sqlite3_column_int64(s, 28);
		g->writer.uid = sqlite3_column_type(s, 29) == SQLITE_NULL
					? -1
					: sqlite3_column_int64(s, 29);
		g->writer.auid = sqlite3_column_type(s, 30) == SQLITE_NULL
					 ? -1
					 : sqlite3_column_int64(s, 30);
		g->writer.comm = col_dup(s, 31);
		g->writer.exe = col_dup(s, 32);
	}
	if (g->path == NULL || g->target == NULL || g->ignored == NULL || g->search == NULL ||
	    g->sortlist == NULL || g->options == NULL || g->key == NULL || g->warnings == NULL ||
	    (blen > 0 && g->content == NULL)) {
		rs_generation_clear(g);
		return set_err(st, -ENOMEM, "out of memory");
	}
	return 0;
}

static int query_one(struct rs_store *st, const char *sql, int64_t arg, bool has_arg,
		     struct rs_generation *g)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read generations");
	if (has_arg)
		sqlite3_bind_int64(s, 1, arg);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = row_to_generation(st, s, g);
	else if (rc == SQLITE_DONE)
		r = set_err(st, -ENOENT, "no such generation");
	else
		r = rs_store_sql_err(st, rc, "cannot read generations");
	sqlite3_finalize(s);
	return r;
}

int rs_store_latest_generation(struct rs_store *st, struct rs_generation *g)
{
	return query_one(st, "SELECT " GEN_COLUMNS " FROM generations ORDER BY number DESC LIMIT 1",
			 0, false, g);
}

int rs_store_get_generation(struct rs_store *st, int64_t number, struct rs_generation *g)
{
	return query_one(st, "SELECT " GEN_COLUMNS " FROM generations WHERE number = ?1", number,
			 true, g);
}

int rs_store_foreach_generation(struct rs_store *st, int64_t from, int64_t to,
				int (*fn)(void *ctx, const struct rs_generation *g), void *ctx)
{
	struct rs_generation g;
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	memset(&g, 0, sizeof(g));
	rc = sqlite3_prepare_v2(st->db,
				"SELECT " GEN_COLUMNS " FROM generations WHERE number BETWEEN ?1 "
				"AND ?2 ORDER BY number",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read generations");
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = row_to_generation(st, s, &g);
		if (r < 0)
			break;
		r = fn(ctx, &g);
		rs_generation_clear(&g);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = rs_store_sql_err(st, rc, "cannot read generations");
	sqlite3_finalize(s);
	return r;
}

int rs_store_add_file_event(struct rs_store *st, const struct rs_file_event *e)
{
	sqlite3_stmt *s = st->ins_fev;
	char hash[17];
	int rc, r;

	r = rs_store_begin(st);
	if (r < 0)
		return r;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, e->time_ns);
	sqlite3_bind_int64(s, 2, e->generation);
	sqlite3_bind_text(s, 3, rs_file_change_name(e->change), -1, SQLITE_STATIC);
	rs_store_bind_text(s, 4, e->path ? e->path : "");
	rs_store_bind_text(s, 5, e->target);
	sqlite3_bind_text(s, 6, rs_file_state_name(e->id.state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)e->id.ino);
	sqlite3_bind_int64(s, 8, e->id.size);
	sqlite3_bind_int64(s, 9, e->id.mtime_ns);
	sqlite3_bind_int64(s, 10, e->id.ctime_ns);
	bind_hash(s, 11, e->id.hash, hash);
	rs_store_bind_text(s, 12, e->reasons ? e->reasons : "");
	bind_writer(s, 13, &e->writer);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot record the file event");
}

static enum rs_file_change change_from(const char *s)
{
	for (int c = RS_CHANGE_NONE; c <= RS_CHANGE_VANISHED; c++)
		if (strcmp(s, rs_file_change_name((enum rs_file_change)c)) == 0)
			return (enum rs_file_change)c;
	return RS_CHANGE_NONE;
}

const char *rs_store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : NULL;
}

int rs_store_foreach_file_event(struct rs_store *st, int64_t generation,
				int (*fn)(void *ctx, const struct rs_file_event *e), void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(
		st->db,
		"SELECT time_ns, generation, change, path, target, state, inode, size, mtime_ns, "
		"ctime_ns, hash, reasons, writer_pid, writer_starttime, writer_uid, writer_auid, "
		"writer_comm, writer_exe FROM file_events WHERE generation = ?1 ORDER BY time_ns, "
		"id",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read file events");
	sqlite3_bind_int64(s, 1, generation);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rs_file_event e;

		memset(&e, 0, sizeof(e));
		e.time_ns = sqlite3_column_int64(s, 0);
		e.generation = sqlite3_column_int64(s, 1);
		e.change = change_from(rs_store_col_text(s, 2) ? rs_store_col_text(s, 2) : "");
		e.path = rs_store_col_text(s, 3);
		e.target = rs_store_col_text(s, 4);
		e.id.state = state_from(rs_store_col_text(s, 5) ? rs_store_col_text(s, 5) : "ok");
		e.id.ino = (uint64_t)sqlite3_column_int64(s, 6);
		e.id.size = sqlite3_column_int64(s, 7);
		e.id.mtime_ns = sqlite3_column_int64(s, 8);
		e.id.ctime_ns = sqlite3_column_int64(s, 9);
		e.id.hash = hash_from(s, 10);
		e.reasons = rs_store_col_text(s, 11);
		e.writer.uid = e.writer.auid = -1;
		if (sqlite3_column_type(s, 12) != SQLITE_NULL) {
			e.writer.known = true;
			e.writer.pid = (int32_t)sqlite3_column_int64(s, 12);
			e.writer.starttime = (uint64_t)sqlite3_column_int64(s, 13);
			if (sqlite3_column_type(s, 14) != SQLITE_NULL)
				e.writer.uid = sqlite3_column_int64(s, 14);
			if (sqlite3_column_type(s, 15) != SQLITE_NULL)
				e.writer.auid = sqlite3_column_int64(s, 15);
			e.writer.comm = (char *)rs_store_col_text(s, 16);
			e.writer.exe = (char *)rs_store_col_text(s, 17);
		}
		r = fn(ctx, &e);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = rs_store_sql_err(st, rc, "cannot read file events");
	sqlite3_finalize(s);
	return r;
}

int rs_store_create_at_version(const char *path, int version)
{
	struct rs_store tmp;
	char sql[96];
	int rc, r;

	if (version < 1 || version >= RS_STORE_SCHEMA_VERSION)
		return -EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	rc = sqlite3_open_v2(path, &tmp.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(tmp.db);
		return -EIO;
	}
	r = exec(&tmp, "PRAGMA journal_mode = WAL", "wal");
	for (int v = 0; r == 0 && v < version; v++)
		r = exec(&tmp, migrations[v], "migrate");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d;", version,
		 RS_APPLICATION_ID);
	if (r == 0)
		r = exec(&tmp, sql, "version");
	sqlite3_close(tmp.db);
	return r;
}

void rs_store_bind_i64_or_null(sqlite3_stmt *s, int i, int64_t v, bool known)
{
	if (known)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int rs_store_upsert_process(struct rs_store *st, const struct rs_store_process *p)
{
	sqlite3_stmt *s = st->up_proc;
	const struct rs_proc_facts *f = p->facts;
	int rc, r;

	r = rs_store_begin(st);
	if (r < 0)
		return r;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, f->id.pid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)f->id.starttime);
	rs_store_bind_i64_or_null(s, 3, f->start_ns, f->start_ns != 0);
	sqlite3_bind_int64(s, 4, p->seen_ns);
	rs_store_bind_i64_or_null(s, 5, f->id.ppid, f->id.ppid >= 0);
	rs_store_bind_i64_or_null(s, 6, f->id.uid, f->id.uid >= 0);
	rs_store_bind_i64_or_null(s, 7, f->id.auid, f->id.auid >= 0);
	rs_store_bind_text(s, 8, f->id.comm);
	rs_store_bind_text(s, 9, f->id.exe);
	rs_store_bind_text(s, 10, f->cmdline);
	rs_store_bind_text(s, 11, f->cg.unit[0] ? f->cg.unit : NULL);
	sqlite3_bind_int(s, 12, f->cg.user_unit);
	rs_store_bind_text(s, 13, f->cg.container ? rs_container_kind_name(f->cg.container) : NULL);
	rs_store_bind_text(s, 14, f->cg.container_id[0] ? f->cg.container_id : NULL);
	rs_store_bind_text(s, 15, f->cg.pod_uid[0] ? f->cg.pod_uid : NULL);
	rs_store_bind_i64_or_null(s, 16, (int64_t)f->netns, f->netns != 0);
	rs_store_bind_i64_or_null(s, 17, (int64_t)f->mntns, f->mntns != 0);
	rs_store_bind_text(s, 18, rs_config_domain_name(f->domain));
	rs_store_bind_text(s, 19, f->config_ns);
	rs_store_bind_text(s, 20, p->runtime);
	rs_store_bind_text(s, 21, p->reload_rule);
	rs_store_bind_text(s, 22, p->runtime_detail);
	rs_store_bind_text(s, 23, p->runtime_evidence);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot record a process");
}

int rs_store_upsert_socket(struct rs_store *st, int32_t pid, uint64_t starttime,
			   const struct rs_sock *k, int fd, int64_t seen_ns, int64_t generation)
{
	sqlite3_stmt *s = st->up_sock;
	char local[RS_ADDR_STRLEN], remote[RS_ADDR_STRLEN];
	int rc, r;

	r = rs_store_begin(st);
	if (r < 0)
		return r;
	rs_addr_format(&k->local, local, sizeof(local));
	rs_addr_format(&k->remote, remote, sizeof(remote));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_int64(s, 1, pid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)starttime);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)k->inode);
	sqlite3_bind_text(s, 4, rs_proto_name(k->proto), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, local, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, k->lport);
	sqlite3_bind_text(s, 7, remote, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, k->rport);
	sqlite3_bind_text(s, 9, rs_sock_state_name(k->proto, k->state), -1, SQLITE_STATIC);
	rs_store_bind_i64_or_null(s, 10, (int64_t)k->netns, k->netns != 0);
	rs_store_bind_i64_or_null(s, 11, fd, fd >= 0);
	sqlite3_bind_int64(s, 12, seen_ns);
	sqlite3_bind_int64(s, 13, generation);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot record a socket");
}
