#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

/* libpq, PostgreSQL's own client library (Debian: libpq-dev). Only PostgresClient imports it.
 * Only its declarations: the functions are CLibpqLoader's, which loads libpq on first use.
 * The header is named by its directory so no include path (pkg-config) is needed. */
#include <postgresql/libpq-fe.h>
#include <poll.h>

/* The error-field codes are character macros (postgres_ext.h), which Swift does not import. */
static const int CPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CPQ_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
static const int CPQ_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int CPQ_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;

#endif
