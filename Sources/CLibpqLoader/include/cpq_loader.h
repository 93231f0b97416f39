#ifndef CPQ_LOADER_H
#define CPQ_LOADER_H

/* Loads libpq on first use (see cpq_loader.c for why). Returns 1 when libpq and every
 * function the client calls were found, else 0; safe to call from any thread, any number
 * of times. */
int cpq_load(void);

/* Why the load failed (dlopen's or dlsym's words), or NULL once loaded. */
const char *cpq_load_error(void);

#endif
