/* A tiny check harness for the C API test: one printed line per check, a final
 * "N passed, M failed" line, and a non-zero exit status when anything failed. */
#ifndef CLASSIFLOW_TESTS_C_CHECK_H_
#define CLASSIFLOW_TESTS_C_CHECK_H_

#include <classiflow/classiflow.h>
#include <stdio.h>
#include <string.h>
#include <time.h> /* nanosleep: the including file defines _XOPEN_SOURCE first */

/* Sleeps about `ms` milliseconds (nanosleep is POSIX; usleep is gone from POSIX 2008). */
static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

static int g_passed = 0;
static int g_failed = 0;

static void check(int ok, const char *what, const char *file, int line) {
  if (ok) {
    g_passed++;
    printf("ok   %s\n", what);
  } else {
    g_failed++;
    printf("FAIL %s (%s:%d)\n", what, file, line);
  }
}

/* Makes sure the next failing call must write its own message: errors are not cleared on
 * success, so without this a stale message from an earlier failure would satisfy the check. */
static void poison_last_error(const char *function) {
  if (strcmp(function, "cf_engine_model_count") != 0) {
    (void)cf_engine_model_count(NULL, NULL);
  } else {
    (void)cf_model_version(NULL, NULL);
  }
}

/* The function name at the start of a stringified call: "cf_model_train(m, ...)" -> name. */
static void function_name(const char *call, char *out, size_t size) {
  size_t n = strcspn(call, "( ");
  if (n >= size) n = size - 1;
  memcpy(out, call, n);
  out[n] = '\0';
}

/* Passes when `got` == `want` and, for a failure, cf_last_error() is a fresh message that starts
 * with the failing function's name and says something after it. */
static void check_status(cf_status got, cf_status want, const char *call, const char *what,
                         const char *file, int line) {
  char function[64];
  const char *err = cf_last_error();
  size_t n;
  int ok = got == want;
  function_name(call, function, sizeof function);
  n = strlen(function);
  if (want != CF_OK) {
    ok =
        ok && err != NULL && strncmp(err, function, n) == 0 && err[n] == ':' && strlen(err) > n + 2;
  }
  if (ok) {
    g_passed++;
    if (want == CF_OK) {
      printf("ok   %s\n", what);
    } else {
      printf("ok   %s: %s [%s]\n", what, cf_status_name(got), err);
    }
  } else {
    g_failed++;
    printf("FAIL %s: got %s, want %s; last error \"%s\" (%s:%d)\n", what, cf_status_name(got),
           cf_status_name(want), err == NULL ? "(NULL)" : err, file, line);
  }
}

#define CHECK(cond, what) check((cond) != 0, (what), __FILE__, __LINE__)

/* EXPECT(CF_NOT_FOUND, cf_model_get(e, "nope", &m), "get an unknown model") */
#define EXPECT(want, call, what)                                     \
  do {                                                               \
    if ((want) != CF_OK) {                                           \
      char expect_fn_[64];                                           \
      function_name(#call, expect_fn_, sizeof expect_fn_);           \
      poison_last_error(expect_fn_);                                 \
    }                                                                \
    check_status((call), (want), #call, (what), __FILE__, __LINE__); \
  } while (0)

/* Compares a string the library handed out with `want`, then frees it. */
static int take_string_eq(char *s, const char *want) {
  int eq = s != NULL && want != NULL ? strcmp(s, want) == 0 : s == NULL && want == NULL;
  cf_free(s);
  return eq;
}

static int finish(void) {
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}

#endif /* CLASSIFLOW_TESTS_C_CHECK_H_ */
