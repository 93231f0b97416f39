/* libpq, loaded when a PostgreSQL connection string is first used rather than when the
 * program starts.
 *
 * Linking libpq at start-up mapped it and the libraries it needs for TLS, Kerberos and LDAP
 * (libcrypto, gnutls, p11-kit, krb5, ldap, sasl...) into every run, a board on a SQLite file
 * included: 4.9 MB of its resident memory (measured with /proc/PID/smaps on the release
 * board, 2026-12-06; see Docs/benchmarks.md). Each function the client uses is defined here
 * under libpq's own name and calls libpq's through a pointer that dlsym found, so the Swift
 * code calls libpq as before. cpq_load() must have succeeded before the first call; the
 * client's three entry points (connecting, parsing a connection string, listing its
 * keywords) call it and report a clear error when the library cannot be loaded.
 *
 * Generated from /usr/include/postgresql/libpq-fe.h for the functions Sources/PostgresClient
 * calls: a new libpq function used there must be added here (the link fails until it is). */
#include "cpq_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <postgresql/libpq-fe.h>

static struct {
    int (*PQbackendPID)(const PGconn *conn);
    void (*PQclear)(PGresult *res);
    char * (*PQcmdStatus)(PGresult *res);
    char * (*PQcmdTuples)(PGresult *res);
    PQconninfoOption * (*PQconndefaults)(void);
    PostgresPollingStatusType (*PQconnectPoll)(PGconn *conn);
    PGconn * (*PQconnectStartParams)(const char *const *keywords, const char *const *values, int expand_dbname);
    int (*PQconnectionNeedsPassword)(const PGconn *conn);
    PQconninfoOption * (*PQconninfo)(PGconn *conn);
    void (*PQconninfoFree)(PQconninfoOption *connOptions);
    PQconninfoOption * (*PQconninfoParse)(const char *conninfo, char **errmsg);
    int (*PQconsumeInput)(PGconn *conn);
    char * (*PQdb)(const PGconn *conn);
    char * (*PQencryptPasswordConn)(PGconn *conn, const char *passwd, const char *user, const char *algorithm);
    char * (*PQerrorMessage)(const PGconn *conn);
    PGresult * (*PQexec)(PGconn *conn, const char *query);
    PGresult * (*PQexecParams)(PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat);
    PGresult * (*PQexecPrepared)(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat);
    void (*PQfinish)(PGconn *conn);
    char * (*PQfname)(const PGresult *res, int field_num);
    void (*PQfreemem)(void *ptr);
    PGresult * (*PQgetResult)(PGconn *conn);
    int (*PQgetisnull)(const PGresult *res, int tup_num, int field_num);
    char * (*PQgetvalue)(const PGresult *res, int tup_num, int field_num);
    char * (*PQhost)(const PGconn *conn);
    int (*PQnfields)(const PGresult *res);
    PGnotify * (*PQnotifies)(PGconn *conn);
    int (*PQntuples)(const PGresult *res);
    char * (*PQpass)(const PGconn *conn);
    char * (*PQport)(const PGconn *conn);
    PGresult * (*PQprepare)(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes);
    int (*PQputCopyData)(PGconn *conn, const char *buffer, int nbytes);
    int (*PQputCopyEnd)(PGconn *conn, const char *errormsg);
    PostgresPollingStatusType (*PQresetPoll)(PGconn *conn);
    int (*PQresetStart)(PGconn *conn);
    char * (*PQresultErrorField)(const PGresult *res, int fieldcode);
    char * (*PQresultErrorMessage)(const PGresult *res);
    ExecStatusType (*PQresultStatus)(const PGresult *res);
    int (*PQsendQuery)(PGconn *conn, const char *query);
    int (*PQserverVersion)(const PGconn *conn);
    PGVerbosity (*PQsetErrorVerbosity)(PGconn *conn, PGVerbosity verbosity);
    PQnoticeReceiver (*PQsetNoticeReceiver)(PGconn *conn, PQnoticeReceiver proc, void *arg);
    int (*PQsocket)(const PGconn *conn);
    ConnStatusType (*PQstatus)(const PGconn *conn);
    PGTransactionStatusType (*PQtransactionStatus)(const PGconn *conn);
    char * (*PQuser)(const PGconn *conn);
} libpq;

static int loaded;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The soname Debian's libpq5 installs; the development symlink (libpq.so) is only there
 * with libpq-dev, which a user's machine need not have. */
static const char *const library_names[] = {"libpq.so.5", "libpq.so"};

static void load(void) {
    void *handle = NULL;
    /* PIPELINE_LIBPQ names another libpq (a path or a soname) and is then the only one
     * tried: for a libpq outside the loader's path, and for the test of a missing one. */
    const char *chosen = getenv("PIPELINE_LIBPQ");
    if (chosen && *chosen) {
        handle = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
    } else {
        for (size_t i = 0; i < sizeof library_names / sizeof *library_names && !handle; i++) {
            handle = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (!handle) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason ? reason : "libpq.so.5 not found");
        return;
    }
    *(void **)&libpq.PQbackendPID = dlsym(handle, "PQbackendPID");
    if (!libpq.PQbackendPID) { snprintf(load_error, sizeof load_error, "libpq has no PQbackendPID"); return; }
    *(void **)&libpq.PQclear = dlsym(handle, "PQclear");
    if (!libpq.PQclear) { snprintf(load_error, sizeof load_error, "libpq has no PQclear"); return; }
    *(void **)&libpq.PQcmdStatus = dlsym(handle, "PQcmdStatus");
    if (!libpq.PQcmdStatus) { snprintf(load_error, sizeof load_error, "libpq has no PQcmdStatus"); return; }
    *(void **)&libpq.PQcmdTuples = dlsym(handle, "PQcmdTuples");
    if (!libpq.PQcmdTuples) { snprintf(load_error, sizeof load_error, "libpq has no PQcmdTuples"); return; }
    *(void **)&libpq.PQconndefaults = dlsym(handle, "PQconndefaults");
    if (!libpq.PQconndefaults) { snprintf(load_error, sizeof load_error, "libpq has no PQconndefaults"); return; }
    *(void **)&libpq.PQconnectPoll = dlsym(handle, "PQconnectPoll");
    if (!libpq.PQconnectPoll) { snprintf(load_error, sizeof load_error, "libpq has no PQconnectPoll"); return; }
    *(void **)&libpq.PQconnectStartParams = dlsym(handle, "PQconnectStartParams");
    if (!libpq.PQconnectStartParams) { snprintf(load_error, sizeof load_error, "libpq has no PQconnectStartParams"); return; }
    *(void **)&libpq.PQconnectionNeedsPassword = dlsym(handle, "PQconnectionNeedsPassword");
    if (!libpq.PQconnectionNeedsPassword) { snprintf(load_error, sizeof load_error, "libpq has no PQconnectionNeedsPassword"); return; }
    *(void **)&libpq.PQconninfo = dlsym(handle, "PQconninfo");
    if (!libpq.PQconninfo) { snprintf(load_error, sizeof load_error, "libpq has no PQconninfo"); return; }
    *(void **)&libpq.PQconninfoFree = dlsym(handle, "PQconninfoFree");
    if (!libpq.PQconninfoFree) { snprintf(load_error, sizeof load_error, "libpq has no PQconninfoFree"); return; }
    *(void **)&libpq.PQconninfoParse = dlsym(handle, "PQconninfoParse");
    if (!libpq.PQconninfoParse) { snprintf(load_error, sizeof load_error, "libpq has no PQconninfoParse"); return; }
    *(void **)&libpq.PQconsumeInput = dlsym(handle, "PQconsumeInput");
    if (!libpq.PQconsumeInput) { snprintf(load_error, sizeof load_error, "libpq has no PQconsumeInput"); return; }
    *(void **)&libpq.PQdb = dlsym(handle, "PQdb");
    if (!libpq.PQdb) { snprintf(load_error, sizeof load_error, "libpq has no PQdb"); return; }
    *(void **)&libpq.PQencryptPasswordConn = dlsym(handle, "PQencryptPasswordConn");
    if (!libpq.PQencryptPasswordConn) { snprintf(load_error, sizeof load_error, "libpq has no PQencryptPasswordConn"); return; }
    *(void **)&libpq.PQerrorMessage = dlsym(handle, "PQerrorMessage");
    if (!libpq.PQerrorMessage) { snprintf(load_error, sizeof load_error, "libpq has no PQerrorMessage"); return; }
    *(void **)&libpq.PQexec = dlsym(handle, "PQexec");
    if (!libpq.PQexec) { snprintf(load_error, sizeof load_error, "libpq has no PQexec"); return; }
    *(void **)&libpq.PQexecParams = dlsym(handle, "PQexecParams");
    if (!libpq.PQexecParams) { snprintf(load_error, sizeof load_error, "libpq has no PQexecParams"); return; }
    *(void **)&libpq.PQexecPrepared = dlsym(handle, "PQexecPrepared");
    if (!libpq.PQexecPrepared) { snprintf(load_error, sizeof load_error, "libpq has no PQexecPrepared"); return; }
    *(void **)&libpq.PQfinish = dlsym(handle, "PQfinish");
    if (!libpq.PQfinish) { snprintf(load_error, sizeof load_error, "libpq has no PQfinish"); return; }
    *(void **)&libpq.PQfname = dlsym(handle, "PQfname");
    if (!libpq.PQfname) { snprintf(load_error, sizeof load_error, "libpq has no PQfname"); return; }
    *(void **)&libpq.PQfreemem = dlsym(handle, "PQfreemem");
    if (!libpq.PQfreemem) { snprintf(load_error, sizeof load_error, "libpq has no PQfreemem"); return; }
    *(void **)&libpq.PQgetResult = dlsym(handle, "PQgetResult");
    if (!libpq.PQgetResult) { snprintf(load_error, sizeof load_error, "libpq has no PQgetResult"); return; }
    *(void **)&libpq.PQgetisnull = dlsym(handle, "PQgetisnull");
    if (!libpq.PQgetisnull) { snprintf(load_error, sizeof load_error, "libpq has no PQgetisnull"); return; }
    *(void **)&libpq.PQgetvalue = dlsym(handle, "PQgetvalue");
    if (!libpq.PQgetvalue) { snprintf(load_error, sizeof load_error, "libpq has no PQgetvalue"); return; }
    *(void **)&libpq.PQhost = dlsym(handle, "PQhost");
    if (!libpq.PQhost) { snprintf(load_error, sizeof load_error, "libpq has no PQhost"); return; }
    *(void **)&libpq.PQnfields = dlsym(handle, "PQnfields");
    if (!libpq.PQnfields) { snprintf(load_error, sizeof load_error, "libpq has no PQnfields"); return; }
    *(void **)&libpq.PQnotifies = dlsym(handle, "PQnotifies");
    if (!libpq.PQnotifies) { snprintf(load_error, sizeof load_error, "libpq has no PQnotifies"); return; }
    *(void **)&libpq.PQntuples = dlsym(handle, "PQntuples");
    if (!libpq.PQntuples) { snprintf(load_error, sizeof load_error, "libpq has no PQntuples"); return; }
    *(void **)&libpq.PQpass = dlsym(handle, "PQpass");
    if (!libpq.PQpass) { snprintf(load_error, sizeof load_error, "libpq has no PQpass"); return; }
    *(void **)&libpq.PQport = dlsym(handle, "PQport");
    if (!libpq.PQport) { snprintf(load_error, sizeof load_error, "libpq has no PQport"); return; }
    *(void **)&libpq.PQprepare = dlsym(handle, "PQprepare");
    if (!libpq.PQprepare) { snprintf(load_error, sizeof load_error, "libpq has no PQprepare"); return; }
    *(void **)&libpq.PQputCopyData = dlsym(handle, "PQputCopyData");
    if (!libpq.PQputCopyData) { snprintf(load_error, sizeof load_error, "libpq has no PQputCopyData"); return; }
    *(void **)&libpq.PQputCopyEnd = dlsym(handle, "PQputCopyEnd");
    if (!libpq.PQputCopyEnd) { snprintf(load_error, sizeof load_error, "libpq has no PQputCopyEnd"); return; }
    *(void **)&libpq.PQresetPoll = dlsym(handle, "PQresetPoll");
    if (!libpq.PQresetPoll) { snprintf(load_error, sizeof load_error, "libpq has no PQresetPoll"); return; }
    *(void **)&libpq.PQresetStart = dlsym(handle, "PQresetStart");
    if (!libpq.PQresetStart) { snprintf(load_error, sizeof load_error, "libpq has no PQresetStart"); return; }
    *(void **)&libpq.PQresultErrorField = dlsym(handle, "PQresultErrorField");
    if (!libpq.PQresultErrorField) { snprintf(load_error, sizeof load_error, "libpq has no PQresultErrorField"); return; }
    *(void **)&libpq.PQresultErrorMessage = dlsym(handle, "PQresultErrorMessage");
    if (!libpq.PQresultErrorMessage) { snprintf(load_error, sizeof load_error, "libpq has no PQresultErrorMessage"); return; }
    *(void **)&libpq.PQresultStatus = dlsym(handle, "PQresultStatus");
    if (!libpq.PQresultStatus) { snprintf(load_error, sizeof load_error, "libpq has no PQresultStatus"); return; }
    *(void **)&libpq.PQsendQuery = dlsym(handle, "PQsendQuery");
    if (!libpq.PQsendQuery) { snprintf(load_error, sizeof load_error, "libpq has no PQsendQuery"); return; }
    *(void **)&libpq.PQserverVersion = dlsym(handle, "PQserverVersion");
    if (!libpq.PQserverVersion) { snprintf(load_error, sizeof load_error, "libpq has no PQserverVersion"); return; }
    *(void **)&libpq.PQsetErrorVerbosity = dlsym(handle, "PQsetErrorVerbosity");
    if (!libpq.PQsetErrorVerbosity) { snprintf(load_error, sizeof load_error, "libpq has no PQsetErrorVerbosity"); return; }
    *(void **)&libpq.PQsetNoticeReceiver = dlsym(handle, "PQsetNoticeReceiver");
    if (!libpq.PQsetNoticeReceiver) { snprintf(load_error, sizeof load_error, "libpq has no PQsetNoticeReceiver"); return; }
    *(void **)&libpq.PQsocket = dlsym(handle, "PQsocket");
    if (!libpq.PQsocket) { snprintf(load_error, sizeof load_error, "libpq has no PQsocket"); return; }
    *(void **)&libpq.PQstatus = dlsym(handle, "PQstatus");
    if (!libpq.PQstatus) { snprintf(load_error, sizeof load_error, "libpq has no PQstatus"); return; }
    *(void **)&libpq.PQtransactionStatus = dlsym(handle, "PQtransactionStatus");
    if (!libpq.PQtransactionStatus) { snprintf(load_error, sizeof load_error, "libpq has no PQtransactionStatus"); return; }
    *(void **)&libpq.PQuser = dlsym(handle, "PQuser");
    if (!libpq.PQuser) { snprintf(load_error, sizeof load_error, "libpq has no PQuser"); return; }
    loaded = 1;
}

int cpq_load(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *cpq_load_error(void) {
    return loaded ? NULL : load_error;
}

/* Reached only if a caller skipped cpq_load(): a programming error, stated before stopping. */
static void require_loaded(const char *function) {
    if (cpq_load()) return;
    fprintf(stderr, "pipeline: %s called before libpq was loaded (%s)\n", function, load_error);
    abort();
}

int PQbackendPID(const PGconn *conn) {
    require_loaded("PQbackendPID");
    return libpq.PQbackendPID(conn);
}

void PQclear(PGresult *res) {
    require_loaded("PQclear");
    libpq.PQclear(res);
}

char * PQcmdStatus(PGresult *res) {
    require_loaded("PQcmdStatus");
    return libpq.PQcmdStatus(res);
}

char * PQcmdTuples(PGresult *res) {
    require_loaded("PQcmdTuples");
    return libpq.PQcmdTuples(res);
}

PQconninfoOption * PQconndefaults(void) {
    require_loaded("PQconndefaults");
    return libpq.PQconndefaults();
}

PostgresPollingStatusType PQconnectPoll(PGconn *conn) {
    require_loaded("PQconnectPoll");
    return libpq.PQconnectPoll(conn);
}

PGconn * PQconnectStartParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    require_loaded("PQconnectStartParams");
    return libpq.PQconnectStartParams(keywords, values, expand_dbname);
}

int PQconnectionNeedsPassword(const PGconn *conn) {
    require_loaded("PQconnectionNeedsPassword");
    return libpq.PQconnectionNeedsPassword(conn);
}

PQconninfoOption * PQconninfo(PGconn *conn) {
    require_loaded("PQconninfo");
    return libpq.PQconninfo(conn);
}

void PQconninfoFree(PQconninfoOption *connOptions) {
    require_loaded("PQconninfoFree");
    libpq.PQconninfoFree(connOptions);
}

PQconninfoOption * PQconninfoParse(const char *conninfo, char **errmsg) {
    require_loaded("PQconninfoParse");
    return libpq.PQconninfoParse(conninfo, errmsg);
}

int PQconsumeInput(PGconn *conn) {
    require_loaded("PQconsumeInput");
    return libpq.PQconsumeInput(conn);
}

char * PQdb(const PGconn *conn) {
    require_loaded("PQdb");
    return libpq.PQdb(conn);
}

char * PQencryptPasswordConn(PGconn *conn, const char *passwd, const char *user, const char *algorithm) {
    require_loaded("PQencryptPasswordConn");
    return libpq.PQencryptPasswordConn(conn, passwd, user, algorithm);
}

char * PQerrorMessage(const PGconn *conn) {
    require_loaded("PQerrorMessage");
    return libpq.PQerrorMessage(conn);
}

PGresult * PQexec(PGconn *conn, const char *query) {
    require_loaded("PQexec");
    return libpq.PQexec(conn, query);
}

PGresult * PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) {
    require_loaded("PQexecParams");
    return libpq.PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}

PGresult * PQexecPrepared(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) {
    require_loaded("PQexecPrepared");
    return libpq.PQexecPrepared(conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat);
}

void PQfinish(PGconn *conn) {
    require_loaded("PQfinish");
    libpq.PQfinish(conn);
}

char * PQfname(const PGresult *res, int field_num) {
    require_loaded("PQfname");
    return libpq.PQfname(res, field_num);
}

void PQfreemem(void *ptr) {
    require_loaded("PQfreemem");
    libpq.PQfreemem(ptr);
}

PGresult * PQgetResult(PGconn *conn) {
    require_loaded("PQgetResult");
    return libpq.PQgetResult(conn);
}

int PQgetisnull(const PGresult *res, int tup_num, int field_num) {
    require_loaded("PQgetisnull");
    return libpq.PQgetisnull(res, tup_num, field_num);
}

char * PQgetvalue(const PGresult *res, int tup_num, int field_num) {
    require_loaded("PQgetvalue");
    return libpq.PQgetvalue(res, tup_num, field_num);
}

char * PQhost(const PGconn *conn) {
    require_loaded("PQhost");
    return libpq.PQhost(conn);
}

int PQnfields(const PGresult *res) {
    require_loaded("PQnfields");
    return libpq.PQnfields(res);
}

PGnotify * PQnotifies(PGconn *conn) {
    require_loaded("PQnotifies");
    return libpq.PQnotifies(conn);
}

int PQntuples(const PGresult *res) {
    require_loaded("PQntuples");
    return libpq.PQntuples(res);
}

char * PQpass(const PGconn *conn) {
    require_loaded("PQpass");
    return libpq.PQpass(conn);
}

char * PQport(const PGconn *conn) {
    require_loaded("PQport");
    return libpq.PQport(conn);
}

PGresult * PQprepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes) {
    require_loaded("PQprepare");
    return libpq.PQprepare(conn, stmtName, query, nParams, paramTypes);
}

int PQputCopyData(PGconn *conn, const char *buffer, int nbytes) {
    require_loaded("PQputCopyData");
    return libpq.PQputCopyData(conn, buffer, nbytes);
}

int PQputCopyEnd(PGconn *conn, const char *errormsg) {
    require_loaded("PQputCopyEnd");
    return libpq.PQputCopyEnd(conn, errormsg);
}

PostgresPollingStatusType PQresetPoll(PGconn *conn) {
    require_loaded("PQresetPoll");
    return libpq.PQresetPoll(conn);
}

int PQresetStart(PGconn *conn) {
    require_loaded("PQresetStart");
    return libpq.PQresetStart(conn);
}

char * PQresultErrorField(const PGresult *res, int fieldcode) {
    require_loaded("PQresultErrorField");
    return libpq.PQresultErrorField(res, fieldcode);
}

char * PQresultErrorMessage(const PGresult *res) {
    require_loaded("PQresultErrorMessage");
    return libpq.PQresultErrorMessage(res);
}

ExecStatusType PQresultStatus(const PGresult *res) {
    require_loaded("PQresultStatus");
    return libpq.PQresultStatus(res);
}

int PQsendQuery(PGconn *conn, const char *query) {
    require_loaded("PQsendQuery");
    return libpq.PQsendQuery(conn, query);
}

int PQserverVersion(const PGconn *conn) {
    require_loaded("PQserverVersion");
    return libpq.PQserverVersion(conn);
}

PGVerbosity PQsetErrorVerbosity(PGconn *conn, PGVerbosity verbosity) {
    require_loaded("PQsetErrorVerbosity");
    return libpq.PQsetErrorVerbosity(conn, verbosity);
}

PQnoticeReceiver PQsetNoticeReceiver(PGconn *conn, PQnoticeReceiver proc, void *arg) {
    require_loaded("PQsetNoticeReceiver");
    return libpq.PQsetNoticeReceiver(conn, proc, arg);
}

int PQsocket(const PGconn *conn) {
    require_loaded("PQsocket");
    return libpq.PQsocket(conn);
}

ConnStatusType PQstatus(const PGconn *conn) {
    require_loaded("PQstatus");
    return libpq.PQstatus(conn);
}

PGTransactionStatusType PQtransactionStatus(const PGconn *conn) {
    require_loaded("PQtransactionStatus");
    return libpq.PQtransactionStatus(conn);
}

char * PQuser(const PGconn *conn) {
    require_loaded("PQuser");
    return libpq.PQuser(conn);
}
