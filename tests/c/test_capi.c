/* Exercises the whole C API from real C11: engines (in memory and RocksDB), model lifetime,
 * training, classification, files, durability, and every bad-input path with its exact code. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* POSIX threads rather than C11's <threads.h>: ThreadSanitizer intercepts pthread_create but
 * not glibc's thrd_create, whose threads it cannot run. */
#include <classiflow/classiflow.h>
#include <pthread.h>

#include "check.h"
#include "crafted.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NO_LABEL ((size_t)-1)

/* Six spam and five ham documents: spam is the majority, so the prior favours it. */
static const char *const kTexts[] = {
    "cheap pills now",          "buy cheap pills online",    "win money now",
    "cheap viagra pills offer", "free money win prize",      "cheap pills cheap offer",
    "meeting at noon tomorrow", "lunch with the team today", "project report attached",
    "see you at the meeting",   "quarterly report review"};
static const char *const kLabels[] = {"spam", "spam", "spam", "spam", "spam", "spam",
                                      "ham",  "ham",  "ham",  "ham",  "ham"};

static char g_dir[256]; /* the temporary directory of this run */

static void path_in_dir(char *out, size_t size, const char *name) {
  snprintf(out, size, "%s/%s", g_dir, name);
}

static uint64_t version_of(cf_model *m) {
  uint64_t v = UINT64_MAX;
  if (cf_model_version(m, &v) != CF_OK) return UINT64_MAX;
  return v;
}

static double confidence_of(cf_model *m, const char *text, size_t len) {
  double c = -1.0;
  if (cf_model_classify(m, text, len, NULL, &c) != CF_OK) return -1.0;
  return c;
}

/* Index of `label` in the model's label order, or NO_LABEL. */
static size_t label_index(cf_model *m, const char *label) {
  size_t n = 0, i;
  if (label == NULL || cf_model_label_count(m, &n) != CF_OK) return NO_LABEL;
  for (i = 0; i < n; i++) {
    char *s = NULL;
    if (cf_model_label(m, i, &s) == CF_OK && take_string_eq(s, label)) return i;
  }
  return NO_LABEL;
}

/* Creates `name` with `options` and trains it on the corpus in one batch. */
static cf_model *make_trained(cf_engine *e, const char *name, const char *options) {
  cf_model *m = NULL;
  EXPECT(CF_OK, cf_model_create(e, name, "bayes", options, &m), "create a model to train");
  EXPECT(CF_OK, cf_model_train_batch(m, kLabels, kTexts, NULL, COUNT(kTexts)),
         "train_batch the corpus (NUL-terminated texts, lens NULL)");
  return m;
}

static void test_library(void) {
  CHECK(strcmp(cf_last_error(), "") == 0, "cf_last_error() is \"\" before any failure");
  CHECK(strcmp(cf_version(), CF_VERSION_STRING) == 0, "cf_version() matches CF_VERSION_STRING");
  CHECK(strcmp(CF_VERSION_STRING, "0.1.0") == 0 && CF_ABI_VERSION == 1, "version macros");
  CHECK(strcmp(cf_status_name(CF_OK), "CF_OK") == 0 &&
            strcmp(cf_status_name(CF_BUSY), "CF_BUSY") == 0 &&
            strcmp(cf_status_name(CF_INTERNAL), "CF_INTERNAL") == 0 &&
            strcmp(cf_status_name(99), "CF_UNKNOWN_STATUS") == 0,
        "cf_status_name names every code and tolerates unknown ones");
  cf_free(NULL);
  cf_engine_close(NULL);
  cf_model_release(NULL);
  CHECK(1, "cf_free, cf_engine_close and cf_model_release accept NULL");
}

static void test_engine_open(void) {
  cf_engine *e = (cf_engine *)g_dir; /* any non-NULL value: failures must reset it */
  char file[300], uri[320];
  FILE *f;
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open(NULL, NULL, NULL), "open with NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open(NULL, "{\"nope\": 1}", &e), "unknown engine option");
  CHECK(e == NULL, "a failed open sets *out to NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open(NULL, "{sync", &e), "malformed engine options");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open(NULL, "{\"sync\": \"yes\"}", &e),
         "engine option of the wrong type");
  /* A directory below a regular file cannot be created, even by root. */
  path_in_dir(file, sizeof file, "plain_file");
  f = fopen(file, "w");
  if (f != NULL) fclose(f);
  snprintf(uri, sizeof uri, "rocksdb:%s/db", file);
  EXPECT(CF_IO_ERROR, cf_engine_open(uri, NULL, &e), "open a directory that cannot be created");

  EXPECT(CF_OK, cf_engine_open(NULL, NULL, &e), "open in memory (NULL uri)");
  cf_engine_close(e);
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open("", NULL, &e),
         "\"\" is no path (memory is NULL or \"memory:\")");
  EXPECT(CF_OK, cf_engine_open("memory:", "", &e), "open in memory (memory:, \"\" options)");
  cf_engine_close(e);
  EXPECT(CF_OK, cf_engine_open("memory:", "{\"sync\": true}", &e), "open in memory (memory:)");
  {
    cf_model *m = NULL;
    size_t n = 99;
    EXPECT(CF_OK, cf_model_create(e, "ephemeral", NULL, NULL, &m), "create with NULL kind");
    cf_model_release(m);
    cf_engine_close(e);
    EXPECT(CF_OK, cf_engine_open("memory:", NULL, &e), "reopen memory:");
    EXPECT(CF_OK, cf_engine_model_count(e, &n), "count models");
    CHECK(n == 0, "a memory engine keeps nothing after close");
    cf_engine_close(e);
  }
}

/* "<call> <when>" for the checks of expect_refused (printed at once, so one buffer serves). */
static const char *after(const char *call, const char *when) {
  static char what[96];
  snprintf(what, sizeof what, "%s %s", call, when);
  return what;
}

/* Every call on a model whose engine was closed (CF_UNAVAILABLE) or that was dropped
 * (CF_NOT_FOUND) fails with `want`, except release; empty batches included, so the C API
 * answers like the Python one, whose accessors and methods all check the model first. */
static void expect_refused(cf_model *m, cf_status want, const char *when) {
  static const char *const texts[] = {"cheap pills"};
  static const char *const labels[] = {"spam"};
  char *s = NULL;
  size_t n = 0, idx[1];
  uint64_t v = 0;
  double d[2];
  char path[300];
  path_in_dir(path, sizeof path, "refused.cfm");
  EXPECT(want, cf_model_train(m, "spam", "cheap pills", 11), after("train", when));
  EXPECT(want, cf_model_untrain(m, "spam", "cheap pills", 11), after("untrain", when));
  EXPECT(want, cf_model_train_batch(m, labels, texts, NULL, 1), after("train_batch", when));
  EXPECT(want, cf_model_train_batch(m, NULL, NULL, NULL, 0), after("empty train_batch", when));
  EXPECT(want, cf_model_classify(m, "cheap pills", 11, &s, NULL), after("classify", when));
  EXPECT(want, cf_model_scores(m, "cheap pills", 11, d, 2), after("scores", when));
  EXPECT(want, cf_model_classify_batch(m, texts, NULL, 1, idx, d), after("classify_batch", when));
  EXPECT(want, cf_model_classify_batch(m, NULL, NULL, 0, NULL, NULL),
         after("empty classify_batch", when));
  EXPECT(want, cf_model_version(m, &v), after("version", when));
  EXPECT(want, cf_model_label_count(m, &n), after("label_count", when));
  EXPECT(want, cf_model_label(m, 0, &s), after("label", when));
  EXPECT(want, cf_model_name(m, &s), after("name", when));
  EXPECT(want, cf_model_save(m, path), after("save", when));
  CHECK(access(path, F_OK) != 0, after("no file saved", when));
}

static void test_model_lifetime(cf_engine *e) {
  cf_model *m = NULL, *old = NULL;
  char *name = NULL;
  size_t n = 0, i;
  static const char *const expected[] = {"alpha_1", "victim", "zeta.v2"};

  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "bad name!", NULL, NULL, &m), "bad model name");
  CHECK(m == NULL, "a failed create sets *out to NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "", NULL, NULL, &m), "empty model name");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, ".hidden", NULL, NULL, &m), "name starting '.'");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", "nope", NULL, &m), "unknown kind");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", "bayes", "{\"kind\": \"lsi\"}", &m),
         "JSON kind contradicting the kind argument");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"labels\": [\"a\"", &m),
         "malformed model options JSON");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"bogus\": 1}", &m),
         "unknown model option key");
  CHECK(strstr(cf_last_error(), "bogus") != NULL, "the error names the unknown key");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"min_confidence\": 2}", &m),
         "option out of range");
  CHECK(strstr(cf_last_error(), "min_confidence") != NULL, "the error names the option");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"ngrams\": \"two\"}", &m),
         "option of the wrong type");
  CHECK(strstr(cf_last_error(), "ngrams") != NULL, "the error names the option");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"hash_bits\": 40}", &m),
         "integer option out of range");
  CHECK(strstr(cf_last_error(), "hash_bits") != NULL, "the error names the option");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"alpha\": -1}", &m),
         "negative alpha");
  CHECK(strstr(cf_last_error(), "alpha") != NULL, "the error names the option");
  {
    /* 1,000,000 levels of nesting under "kind": refused by the depth cap, never a stack overflow.
     */
    const size_t levels = 1000000;
    char *deep = malloc(2 * levels + 16);
    if (deep != NULL) {
      size_t n = 0;
      n += (size_t)sprintf(deep, "{\"kind\": ");
      memset(deep + n, '[', levels);
      memset(deep + n + levels, ']', levels);
      strcpy(deep + n + 2 * levels, "}");
      EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, deep, &m),
             "options nested 1,000,000 levels deep");
      CHECK(strlen(cf_last_error()) < 300, "the error does not quote the value");
      free(deep);
    }
  }
  EXPECT(CF_INVALID_ARGUMENT,
         cf_model_create(e, "x", NULL, "{\"labels\": [\"a\", \"b\", \"a\"]}", &m),
         "duplicate labels");
  EXPECT(CF_INVALID_ARGUMENT,
         cf_model_create(e, "x", NULL, "{\"labels\": [\"evil\u202etxt\"]}", &m),
         "a label with a bidi override (U+202E)");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"labels\": [\"a\\u0085b\"]}", &m),
         "a label with a C1 control (U+0085)");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"hash_bits\": 4294967316}", &m),
         "hash_bits = 2^32 + 20 is refused, not truncated to 20");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, "{\"alpha\": 1e308}", &m),
         "alpha too large for finite scores");
  {
    /* 65,536 labels: one over the Bayes cap. */
    const size_t count = 65536;
    char *json = malloc(count * 10 + 32);
    if (json != NULL) {
      size_t k, n = (size_t)sprintf(json, "{\"labels\": [");
      for (k = 0; k < count; k++) n += (size_t)sprintf(json + n, "%s\"l%zu\"", k ? "," : "", k);
      strcpy(json + n, "]}");
      EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, json, &m), "65,536 labels");
      CHECK(strstr(cf_last_error(), "65535") != NULL, "the error names the cap");
      free(json);
    }
  }
  EXPECT(CF_NOT_FOUND, cf_model_get(e, "x", &m), "none of the refused creates made a model");

  EXPECT(CF_OK, cf_model_create(e, "zeta.v2", "bayes", "{\"kind\": \"bayes\"}", &m),
         "create with a JSON kind that agrees");
  cf_model_release(m);
  EXPECT(CF_OK, cf_model_create(e, "alpha_1", NULL, "null", &m), "create with \"null\" options");
  cf_model_release(m);
  EXPECT(CF_OK, cf_model_create(e, "victim", NULL, NULL, &old), "create victim");
  EXPECT(CF_ALREADY_EXISTS, cf_model_create(e, "victim", NULL, NULL, &m), "create existing");
  EXPECT(CF_OK, cf_model_name(old, &name), "model name");
  CHECK(take_string_eq(name, "victim"), "cf_model_name is the created name");

  EXPECT(CF_OK, cf_engine_model_count(e, &n), "model count");
  CHECK(n == COUNT(expected), "model count is 3");
  for (i = 0; i < COUNT(expected); i++) {
    char what[64];
    snprintf(what, sizeof what, "model name %u is %s (sorted)", (unsigned)i, expected[i]);
    EXPECT(CF_OK, cf_engine_model_name(e, i, &name), "model name by index");
    CHECK(take_string_eq(name, expected[i]), what);
  }
  name = (char *)g_dir;
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_model_name(e, 3, &name), "model index out of range");
  CHECK(name == NULL, "a failed cf_engine_model_name sets *name to NULL");

  EXPECT(CF_NOT_FOUND, cf_model_get(e, "missing", &m), "get an unknown model");
  EXPECT(CF_NOT_FOUND, cf_model_drop(e, "missing"), "drop an unknown model");
  EXPECT(CF_OK, cf_model_drop(e, "victim"), "drop victim");
  EXPECT(CF_NOT_FOUND, cf_model_get(e, "victim", &m), "a dropped model is gone");
  expect_refused(old, CF_NOT_FOUND, "after drop");
  EXPECT(CF_OK, cf_model_create(e, "victim", NULL, NULL, &m), "recreate a dropped name");
  EXPECT(CF_NOT_FOUND, cf_model_label_count(old, &n), "the old handle still names the dropped one");
  cf_model_release(m);
  cf_model_release(old);
}

static void test_null_arguments(cf_engine *e, cf_model *m) {
  static const char *const labels[] = {"spam", "ham"};
  static const char *const null_label[] = {"spam", NULL};
  static const char *const texts[] = {"a b", "c d"};
  cf_model *out = NULL;
  char *s = NULL;
  size_t n = 0, idx[2];
  uint64_t v = 0;
  double d[2];

  EXPECT(CF_INVALID_ARGUMENT, cf_engine_model_count(NULL, &n), "model_count NULL engine");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_model_count(e, NULL), "model_count NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_model_name(NULL, 0, &s), "model_name NULL engine");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_model_name(e, 0, NULL), "model_name NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(NULL, "x", NULL, NULL, &out), "create NULL engine");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, NULL, NULL, NULL, &out), "create NULL name");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "x", NULL, NULL, NULL), "create NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_get(NULL, "spam", &out), "get NULL engine");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_get(e, NULL, &out), "get NULL name");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_get(e, "spam", NULL), "get NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_drop(NULL, "spam"), "drop NULL engine");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_drop(e, NULL), "drop NULL name");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_name(NULL, &s), "name NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_name(m, NULL), "name NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(NULL, "spam", "x", 1), "train NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, NULL, "x", 1), "train NULL label");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, "spam", NULL, 5), "train NULL text, len 5");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_untrain(NULL, "spam", "x", 1), "untrain NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_untrain(m, NULL, "x", 1), "untrain NULL label");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train_batch(NULL, labels, texts, NULL, 1),
         "train_batch NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train_batch(m, NULL, texts, NULL, 2), "NULL labels");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train_batch(m, labels, NULL, NULL, 2), "NULL texts");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train_batch(m, null_label, texts, NULL, 2),
         "NULL labels[1]");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify(NULL, "x", 1, &s, NULL), "classify NULL model");
  CHECK(s == NULL, "a failed classify sets *label to NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify(m, NULL, 3, &s, NULL), "classify NULL text, len 3");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_scores(NULL, "x", 1, d, 2), "scores NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_scores(m, "x", 1, NULL, 2), "scores NULL array");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_batch(NULL, texts, NULL, 2, idx, d),
         "classify_batch NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_batch(m, NULL, NULL, 2, idx, d),
         "classify_batch NULL texts");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_label_count(NULL, &n), "label_count NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_label_count(m, NULL), "label_count NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_label(NULL, 0, &s), "label NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_label(m, 0, NULL), "label NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_version(NULL, &v), "version NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_version(m, NULL), "version NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_save(NULL, "x.cfm"), "save NULL model");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_save(m, NULL), "save NULL path");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_load(NULL, &out), "load NULL path");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_load("x.cfm", NULL), "load NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_save(m, ""), "save to an empty path");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_load("", &out), "load an empty path");
}

/* A batch n no caller can have meant (over CF_MAX_BATCH, or whose arrays could not be sized) is
 * CF_INVALID_ARGUMENT before any array element is read: the arrays here hold 2 elements, so a
 * call that read them up to n would crash instead. Nothing is trained or written. */
static void test_huge_batches(cf_model *m) {
  static const char *const labels[] = {"spam", "ham"};
  static const char *const texts[] = {"a b", "c d"};
  static const size_t lens[] = {3, 3};
  const size_t huge[] = {
      SIZE_MAX,          SIZE_MAX / sizeof(void *) + 1, /* n * sizeof(pointer) overflows */
      SIZE_MAX / 16 + 1,                                /* n * sizeof(string_view) overflows */
      SIZE_MAX / 2,      (size_t)1 << 40,
      CF_MAX_BATCH + 1};
  size_t idx[2] = {7, 7}, i;
  double conf[2] = {-1, -1};
  uint64_t version = version_of(m);

  CHECK(CF_MAX_BATCH >= 0xFFFFFFFFu || CF_MAX_BATCH == SIZE_MAX / 16,
        "CF_MAX_BATCH is 2^32 - 1 on 64-bit platforms");
  for (i = 0; i < COUNT(huge); i++) {
    char what[96];
    snprintf(what, sizeof what, "train_batch with n = %zu", huge[i]);
    EXPECT(CF_INVALID_ARGUMENT, cf_model_train_batch(m, labels, texts, lens, huge[i]), what);
    CHECK(strstr(cf_last_error(), "CF_MAX_BATCH") != NULL, "the message names CF_MAX_BATCH");
    snprintf(what, sizeof what, "classify_batch with n = %zu", huge[i]);
    EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_batch(m, texts, lens, huge[i], idx, conf), what);
    snprintf(what, sizeof what, "classify_batch (lens NULL) with n = %zu", huge[i]);
    EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_batch(m, texts, NULL, huge[i], idx, NULL), what);
  }
  CHECK(version_of(m) == version, "refused batches trained nothing");
  CHECK(idx[0] == 7 && idx[1] == 7 && conf[0] == -1, "refused batches wrote nothing");
}

static void test_training(cf_engine *e) {
  static const char *const batch_labels[] = {"spam", "ham", "spam"};
  static const char *const batch_texts[] = {"pills\0ignored", "team lunch", "cheap money"};
  static const size_t batch_lens[] = {5, 10, 11};
  static const char *const bad_texts[] = {"fine text", ""};
  cf_model *m = NULL, *fixed = NULL;
  char *label = NULL;
  size_t n = 99, big_len = 10u << 20;
  char *big = malloc(big_len);
  double before, changed;

  EXPECT(CF_OK, cf_model_create(e, "train", "bayes", NULL, &m), "create 'train'");
  CHECK(version_of(m) == 0, "a new model is version 0");
  EXPECT(CF_OK, cf_model_label_count(m, &n), "label_count of a new model");
  CHECK(n == 0, "a new model without fixed labels has no labels");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify(m, "x", 1, &label, NULL),
         "classify with no labels yet");
  EXPECT(CF_OK, cf_model_train(m, "spam", "cheap pills now", 15), "train spam");
  EXPECT(CF_OK, cf_model_train(m, "ham", "meeting at noon", 15), "train ham");
  CHECK(version_of(m) == 2, "each committed train is one version");
  EXPECT(CF_OK, cf_model_train_batch(m, batch_labels, batch_texts, batch_lens, 3), "train_batch");
  CHECK(version_of(m) == 3, "a train_batch is one version");
  EXPECT(CF_OK, cf_model_train_batch(m, NULL, NULL, NULL, 0), "empty train_batch");
  CHECK(version_of(m) == 3, "an empty train_batch commits nothing");
  EXPECT(CF_OK, cf_model_label_count(m, &n), "label_count");
  CHECK(n == 2 && label_index(m, "spam") != NO_LABEL && label_index(m, "ham") != NO_LABEL,
        "labels are spam and ham");
  label = (char *)g_dir;
  EXPECT(CF_INVALID_ARGUMENT, cf_model_label(m, 2, &label), "label index out of range");
  CHECK(label == NULL, "a failed cf_model_label sets *label to NULL");

  /* Refused steps change nothing. */
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, "spam", "", 0), "train empty text");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, "spam", NULL, 0), "train NULL text, len 0");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, "", "text", 4), "train empty label");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train_batch(m, batch_labels, bad_texts, NULL, 2),
         "train_batch with one empty text");
  CHECK(big != NULL, "allocate a 10 MB text");
  if (big != NULL) {
    memset(big, 'a', big_len);
    for (n = 7; n < big_len; n += 8) big[n] = ' ';
    EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, "spam", big, big_len), "train 10 MB text");
    EXPECT(CF_INVALID_ARGUMENT, cf_model_classify(m, big, big_len, NULL, NULL),
           "classify 10 MB text");
    free(big);
  }
  CHECK(version_of(m) == 3, "refused training left the version unchanged");

  /* Untrain undoes train exactly; untraining what was never trained is refused. */
  before = confidence_of(m, "cheap pills", 11);
  EXPECT(CF_OK, cf_model_untrain(m, "spam", "cheap pills now", 15), "untrain a trained doc");
  CHECK(version_of(m) == 4, "untrain is one version");
  changed = confidence_of(m, "cheap pills", 11);
  CHECK(changed >= 0 && fabs(changed - before) > 1e-9, "untrain changes the posterior");
  EXPECT(CF_OK, cf_model_train(m, "spam", "cheap pills now", 15), "train it again");
  CHECK(fabs(confidence_of(m, "cheap pills", 11) - before) < 1e-12,
        "untrain + train restores the posterior");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_untrain(m, "ham", "zebra quantum xylophone", 23),
         "untrain a doc never trained (negative counts)");
  CHECK(version_of(m) == 5, "the refused untrain left the version unchanged");
  cf_model_release(m);

  /* A fixed label set is known before training and refuses other labels. */
  EXPECT(CF_OK, cf_model_create(e, "fixed", NULL, "{\"labels\": [\"ham\", \"spam\"]}", &fixed),
         "create with fixed labels");
  EXPECT(CF_OK, cf_model_label_count(fixed, &n), "label_count of fixed labels");
  CHECK(n == 2, "fixed labels exist at version 0");
  EXPECT(CF_OK, cf_model_label(fixed, 1, &label), "label 1");
  CHECK(take_string_eq(label, "spam"), "fixed labels keep their given order");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(fixed, "eggs", "green eggs", 10),
         "train an unknown label with fixed labels");
  CHECK(version_of(fixed) == 0, "the refused label left version 0");
  cf_model_release(fixed);
}

/* Top-k: most probable first, cut by k and by the threshold; the rules are core's. */
static void test_top_labels(cf_model *m) {
  size_t top[3] = {9, 9, 9}, count = 9;
  double p[3] = {0};
  EXPECT(CF_OK, cf_model_classify_top(m, "cheap pills", 11, 3, -1, top, p, &count), "top 3");
  CHECK(count == 2 && top[0] == label_index(m, "spam") && top[1] == label_index(m, "ham") &&
            p[0] >= p[1] && fabs(p[0] - confidence_of(m, "cheap pills", 11)) < 1e-12 &&
            fabs(p[0] + p[1] - 1.0) < 1e-9,
        "top 3 of 2 labels: both, most probable first, with their probabilities");
  EXPECT(CF_OK, cf_model_classify_top(m, "cheap pills", 11, 1, -1, top, NULL, &count), "top 1");
  CHECK(count == 1 && top[0] == label_index(m, "spam"), "top 1 is the classified label");
  EXPECT(CF_OK, cf_model_classify_top(m, "cheap pills", 11, 2, 1.0, top, p, &count), "top, 1.0");
  CHECK(count == 0, "a threshold of 1 keeps no label below certainty");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_top(m, "x", 1, 0, -1, top, p, &count), "k = 0");
  CHECK(count == 0, "count is 0 after a failure");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_top(m, "x", 1, 2, 1.5, top, p, &count),
         "min_confidence 1.5");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_top(m, "x", 1, 2, NAN, top, p, &count),
         "min_confidence NaN");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_top(m, "x", 1, 2, -1, NULL, p, &count),
         "indices NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_top(m, "x", 1, 2, -1, top, p, NULL), "count NULL");
}

/* Evaluation and cross-validation as JSON; the metrics themselves are tested in C++. */
static void test_evaluation(cf_model *m) {
  const char *texts[] = {"cheap pills", "team meeting report", "cheap pills", "win money"};
  const char *truth[] = {"spam", "ham", "ham", "spam"};
  char *json = (char *)"untouched";
  EXPECT(CF_OK, cf_model_evaluate(m, truth, texts, NULL, 4, &json), "evaluate");
  CHECK(json != NULL && strstr(json, "\"count\":4") != NULL &&
            strstr(json, "\"accuracy\":0.75") != NULL,
        "evaluate: 3 of 4 right");
  cf_free(json);
  EXPECT(CF_OK, cf_model_cross_validate(m, truth, texts, NULL, 4, 2, 7, &json), "cross_validate");
  CHECK(json != NULL && json[0] == '[' && strstr(json, "\"macro_f1\"") != NULL,
        "cross_validate: an array of folds");
  cf_free(json);
  EXPECT(CF_INVALID_ARGUMENT, cf_model_evaluate(m, truth, texts, NULL, 0, &json), "evaluate n=0");
  CHECK(json == NULL, "json is NULL after a failure");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_cross_validate(m, truth, texts, NULL, 4, 1, 7, &json),
         "cross_validate k=1");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_evaluate(m, truth, texts, NULL, 4, NULL), "json NULL");
}

static void test_classification(cf_engine *e) {
  static const char *const texts[] = {"cheap pills", "team meeting report", "cheap\0pills", ""};
  static const size_t lens[] = {11, 19, 11, 0};
  cf_model *m = make_trained(e, "classify", NULL);
  cf_model *strict = NULL;
  char *label = NULL;
  double conf = -1, scores[2], sum = 0, best = -INFINITY, confs[4] = {-1, -1, -1, -1};
  size_t n = 0, i, argmax = NO_LABEL, idx[4] = {7, 7, 7, 7};

  EXPECT(CF_OK, cf_model_classify(m, "cheap pills", 11, &label, &conf), "classify spam text");
  CHECK(take_string_eq(label, "spam") && conf > 0.5 && conf <= 1.0, "spam text is spam");
  EXPECT(CF_OK, cf_model_classify(m, "team meeting report", 19, &label, &conf), "classify ham");
  CHECK(take_string_eq(label, "ham") && conf > 0.5, "ham text is ham");
  EXPECT(CF_OK, cf_model_classify(m, "cheap pills", 11, NULL, NULL), "classify, no outputs");

  /* A NUL byte separates words like a space; it must not end the text (as strlen would). */
  EXPECT(CF_OK, cf_model_classify(m, "cheap\0pills", 11, &label, &conf), "classify with NUL");
  CHECK(take_string_eq(label, "spam") && fabs(conf - confidence_of(m, "cheap pills", 11)) < 1e-12,
        "\"cheap\\0pills\" is classified like \"cheap pills\"");
  CHECK(fabs(conf - confidence_of(m, "cheap", 5)) > 1e-9, "... and not like \"cheap\"");

  /* Empty text yields the prior, which favours the majority label. */
  EXPECT(CF_OK, cf_model_classify(m, NULL, 0, &label, &conf), "classify empty text");
  CHECK(take_string_eq(label, "spam") && conf > 0.5 && conf < 1.0, "empty text gets the prior");

  EXPECT(CF_OK, cf_model_label_count(m, &n), "label_count");
  EXPECT(CF_OK, cf_model_scores(m, "cheap pills", 11, scores, 2), "scores");
  for (i = 0; i < 2; i++) {
    sum += exp(scores[i]);
    if (scores[i] > best) best = scores[i], argmax = i;
  }
  CHECK(n == 2 && scores[0] <= 0 && scores[1] <= 0 && fabs(sum - 1.0) < 1e-9,
        "scores are log probabilities summing to 1");
  CHECK(argmax == label_index(m, "spam") &&
            fabs(exp(best) - confidence_of(m, "cheap pills", 11)) < 1e-9,
        "the top score is the classified label and its confidence");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_scores(m, "cheap pills", 11, scores, 1), "scores, n = 1");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_scores(m, "cheap pills", 11, scores, 3), "scores, n = 3");
  test_top_labels(m);
  test_evaluation(m);

  /* A batch answers every text as single classification does. */
  EXPECT(CF_OK, cf_model_classify_batch(m, texts, lens, 4, idx, confs), "classify_batch");
  for (i = 0; i < 4; i++) {
    char what[64];
    snprintf(what, sizeof what, "batch result %u matches cf_model_classify", (unsigned)i);
    CHECK(idx[i] == label_index(m, i == 1 ? "ham" : "spam") &&
              fabs(confs[i] - confidence_of(m, texts[i], lens[i])) < 1e-12,
          what);
  }
  /* Thread count changes scheduling only, never answers. */
  cf_set_threads(1);
  EXPECT(CF_OK, cf_model_classify_batch(m, texts, lens, 4, idx, confs), "batch on one thread");
  CHECK(idx[1] == label_index(m, "ham") && fabs(confs[1] - confidence_of(m, texts[1], 19)) < 1e-12,
        "one thread answers like all cores");
  cf_set_threads(0);
  EXPECT(CF_OK, cf_model_classify_batch(m, texts, NULL, 2, NULL, confs), "batch, lens NULL");
  EXPECT(CF_OK, cf_model_classify_batch(m, NULL, NULL, 0, NULL, NULL), "empty batch");
  idx[0] = 7;
  {
    static const char *const bad[] = {"fine", NULL};
    static const size_t bad_lens[] = {4, 3};
    EXPECT(CF_INVALID_ARGUMENT, cf_model_classify_batch(m, bad, bad_lens, 2, idx, confs),
           "batch with a NULL text of len 3");
    CHECK(idx[0] == 7, "a failed batch writes nothing");
  }

  /* min_confidence: below it there is no label, but the confidence is still reported. */
  EXPECT(CF_OK,
         cf_model_create(e, "strict", NULL,
                         "{\"labels\": [\"ham\", \"spam\"], \"min_confidence\": 0.99}", &strict),
         "create with min_confidence 0.99");
  EXPECT(CF_OK, cf_model_train(strict, "spam", "cheap pills", 11), "train strict spam");
  EXPECT(CF_OK, cf_model_train(strict, "ham", "team meeting", 12), "train strict ham");
  label = (char *)g_dir;
  conf = -1;
  EXPECT(CF_OK, cf_model_classify(strict, "zebra", 5, &label, &conf), "classify below threshold");
  CHECK(label == NULL && conf > 0 && conf < 0.99, "below min_confidence: NULL label, confidence");
  EXPECT(CF_OK, cf_model_classify_batch(strict, texts, lens, 1, idx, confs), "batch below it");
  CHECK(idx[0] == NO_LABEL && confs[0] < 0.99, "below min_confidence: index (size_t)-1");
  cf_model_release(strict);
  cf_model_release(m);
}

static int write_bytes(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  int ok = f != NULL && fwrite(data, 1, len, f) == len;
  if (f != NULL) ok = fclose(f) == 0 && ok;
  return ok;
}

/* Reads a whole file into malloc'ed memory; NULL on failure. */
static char *read_bytes(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  long size;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = malloc((size_t)size);
    if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) free(data), data = NULL;
    *len = (size_t)size;
  }
  fclose(f);
  return data;
}

/* Expects cf_model_load(path) to fail with `want` and leave *out NULL. */
static void expect_load_fails(const char *path, cf_status want, const char *what) {
  cf_model *out = (cf_model *)g_dir;
  EXPECT(want, cf_model_load(path, &out), what);
  CHECK(out == NULL, "a failed load sets *out to NULL");
}

static void test_files(cf_engine *e) {
  cf_model *m = make_trained(e, "saved", NULL), *loaded = NULL;
  char path[300], bad[300], *name = NULL, *data;
  size_t len = 0, n = 0;
  uint64_t version = version_of(m);

  path_in_dir(path, sizeof path, "saved.cfm");
  EXPECT(CF_OK, cf_model_save(m, path), "save");
  EXPECT(CF_OK, cf_model_load(path, &loaded), "load");
  EXPECT(CF_OK, cf_model_name(loaded, &name), "name of the loaded model");
  CHECK(take_string_eq(name, "saved"), "load keeps the saved name");
  CHECK(version_of(loaded) == version, "load keeps the version");
  CHECK(cf_model_label_count(loaded, &n) == CF_OK && n == 2 &&
            label_index(loaded, "spam") == label_index(m, "spam"),
        "load keeps the labels in order");
  CHECK(
      fabs(confidence_of(loaded, "cheap pills", 11) - confidence_of(m, "cheap pills", 11)) < 1e-12,
      "the loaded model classifies like the saved one");
  EXPECT(CF_OK, cf_model_train(loaded, "ham", "weekly team sync", 16), "train a loaded model");
  CHECK(version_of(loaded) == version + 1 && version_of(m) == version,
        "a loaded model is standalone: training it leaves the original alone");
  cf_model_release(loaded);

  path_in_dir(bad, sizeof bad, "missing.cfm");
  expect_load_fails(bad, CF_NOT_FOUND, "load a missing file");
  path_in_dir(bad, sizeof bad, "no_such_dir/x.cfm");
  EXPECT(CF_IO_ERROR, cf_model_save(m, bad), "save into a missing directory");
  path_in_dir(bad, sizeof bad, "saved.cfm/x.cfm"); /* below a regular file: ENOTDIR */
  EXPECT(CF_IO_ERROR, cf_model_save(m, bad), "save below a regular file");
  data = read_bytes(path, &len);
  CHECK(data != NULL && len > 16, "read the saved file back");
  if (data != NULL && len > 16) {
    path_in_dir(bad, sizeof bad, "bad.cfm");
    data[len / 2] ^= 0x5a; /* a flipped byte in the body must fail the checksum */
    CHECK(write_bytes(bad, data, len), "write a corrupted copy");
    expect_load_fails(bad, CF_CORRUPTION, "load a corrupted file");
    data[len / 2] ^= 0x5a;
    CHECK(write_bytes(bad, data, len / 2), "write a truncated copy");
    expect_load_fails(bad, CF_CORRUPTION, "load a truncated file");
    CHECK(write_bytes(bad, data, 3), "write a copy truncated inside the header");
    expect_load_fails(bad, CF_CORRUPTION, "load a 3-byte file");
    CHECK(write_bytes(bad, "", 0), "write an empty file");
    expect_load_fails(bad, CF_CORRUPTION, "load an empty file");
    CHECK(write_bytes(bad, "hello, I am not a model\n", 24), "write a text file");
    expect_load_fails(bad, CF_CORRUPTION, "load a file of another format");
  }
  free(data);
  cf_model_release(m);
}

/* Writes a crafted model file and says whether loading it returns `want`. */
static void expect_crafted(const char *name, const char *const *labels, size_t n, uint64_t version,
                           cf_status want, const char *what) {
  char path[300];
  struct crafted file = craft_model_file(name, labels, n, version);
  cf_model *m = NULL;
  path_in_dir(path, sizeof path, "crafted.cfm");
  CHECK(write_bytes(path, (const char *)file.bytes, file.len), "write a crafted file");
  EXPECT(want, cf_model_load(path, &m), what);
  cf_model_release(m);
  free(file.bytes);
}

static void test_crafted_files(void) {
  static const char *const good[] = {"ham", "spam"};
  static const char *const dup[] = {"a", "b", "a"};
  static const char *const c1[] = {
      "a\xc2\x85"
      "b"};                                                  /* U+0085 */
  static const char *const bidi[] = {"evil\xe2\x80\xaetxt"}; /* U+202E */
  static const char *const bad_utf8[] = {"ok\xff\xfe"};
  const size_t many = 65536;
  char **labels = malloc(many * sizeof *labels);
  cf_model *m = NULL;
  char path[300];
  struct crafted last = craft_model_file("crafted", good, 2, UINT64_MAX);
  size_t i;

  CHECK(xxh64("", 0) == 0xEF46DB3751D8E999ull && xxh64("abc", 3) == 0x44BC2CF5AD770999ull,
        "the test's XXH64 matches the reference vectors");
  expect_crafted("crafted", good, 2, 1, CF_OK, "a well-crafted file loads");
  expect_crafted("crafted", dup, 3, 1, CF_CORRUPTION, "crafted: duplicate labels");
  expect_crafted("crafted", c1, 1, 1, CF_CORRUPTION, "crafted: a C1 control in a label");
  expect_crafted("crafted", bidi, 1, 1, CF_CORRUPTION, "crafted: a bidi override in a label");
  expect_crafted("crafted", bad_utf8, 1, 1, CF_CORRUPTION, "crafted: invalid UTF-8 in a label");
  expect_crafted("../../etc/passwd", good, 2, 1, CF_CORRUPTION, "crafted: a path as the name");
  if (labels != NULL) {
    for (i = 0; i < many; i++) {
      labels[i] = malloc(8);
      if (labels[i] != NULL) snprintf(labels[i], 8, "l%zu", i);
    }
    expect_crafted("crafted", (const char *const *)labels, many, 1, CF_CORRUPTION,
                   "crafted: 65,536 labels, one over the cap");
    for (i = 0; i < many; i++) free(labels[i]);
    free(labels);
  }
  path_in_dir(path, sizeof path, "last.cfm");
  CHECK(write_bytes(path, (const char *)last.bytes, last.len), "write a file at version 2^64-1");
  EXPECT(CF_OK, cf_model_load(path, &m), "a model at the last version loads");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_train(m, "ham", "one more", 8),
         "training past version 2^64-1 is refused, never wrapped to 0");
  CHECK(version_of(m) == UINT64_MAX, "the version is unchanged");
  cf_model_release(m);
  free(last.bytes);
}

static void test_durable(void) {
  char db[300], uri[320];
  cf_engine *e = NULL, *second = (cf_engine *)g_dir;
  cf_model *m = NULL, *again = NULL;
  char *name = NULL;
  size_t n = 0;
  double conf;

  path_in_dir(db, sizeof db, "db");
  snprintf(uri, sizeof uri, "rocksdb:%s", db);
  EXPECT(CF_OK, cf_engine_open(uri, "{\"sync\": true}", &e), "open a RocksDB engine");
  if (e == NULL) return;
  m = make_trained(e, "durable", "{\"kind\": \"bayes\", \"ngrams\": 1}");
  EXPECT(CF_OK, cf_model_train(m, "ham", "weekly team sync", 16), "train durable");
  CHECK(version_of(m) == 2, "durable model is at version 2");
  conf = confidence_of(m, "cheap pills", 11);

  EXPECT(CF_BUSY, cf_engine_open(uri, NULL, &second), "a second open of the directory");
  CHECK(second == NULL, "a busy open sets *out to NULL");
  EXPECT(CF_BUSY, cf_engine_open(db, NULL, &second), "a second open by plain path");

  cf_engine_close(e);
  expect_refused(m, CF_UNAVAILABLE, "after close");
  cf_model_release(m);

  EXPECT(CF_OK, cf_engine_open(db, NULL, &e), "reopen the directory after close");
  if (e == NULL) return;
  EXPECT(CF_OK, cf_engine_model_count(e, &n), "count models after reopen");
  EXPECT(CF_OK, cf_engine_model_name(e, 0, &name), "name of model 0 after reopen");
  CHECK(n == 1 && take_string_eq(name, "durable"), "the model survived close and reopen");
  EXPECT(CF_OK, cf_model_get(e, "durable", &again), "get the reopened model");
  CHECK(version_of(again) == 2, "the version survived close and reopen");
  CHECK(label_index(again, "spam") != NO_LABEL && label_index(again, "ham") != NO_LABEL,
        "the labels survived close and reopen");
  CHECK(fabs(confidence_of(again, "cheap pills", 11) - conf) < 1e-12,
        "the reopened model classifies as before");
  EXPECT(CF_OK, cf_model_untrain(again, "ham", "weekly team sync", 16), "untrain after reopen");
  cf_model_release(again);
  cf_engine_close(e);

  EXPECT(CF_OK, cf_engine_open(uri, NULL, &e), "reopen once more");
  if (e == NULL) return;
  EXPECT(CF_OK, cf_model_get(e, "durable", &again), "get it again");
  CHECK(version_of(again) == 3, "the step after reopen was persisted too");
  cf_model_release(again);
  cf_engine_close(e);
}

struct thread_result {
  cf_engine *engine;
  int fresh_error_empty, own_error, classified;
};

/* Runs on a second thread: its last error starts empty and reflects only its own calls; it
 * classifies while the main thread trains the same model. */
static void *worker(void *arg) {
  struct thread_result *r = arg;
  cf_model *m = NULL;
  int i;
  r->fresh_error_empty = strcmp(cf_last_error(), "") == 0;
  r->own_error = cf_model_get(r->engine, "missing", &m) == CF_NOT_FOUND &&
                 strncmp(cf_last_error(), "cf_model_get:", 13) == 0;
  if (cf_model_get(r->engine, "threads", &m) != CF_OK) return arg; /* non-NULL: failed */
  for (i = 0; i < 2000; i++) {
    char *label = NULL;
    r->classified += cf_model_classify(m, "cheap pills", 11, &label, NULL) == CF_OK &&
                     label != NULL && strcmp(label, "spam") == 0;
    cf_free(label);
  }
  cf_model_release(m);
  return NULL;
}

static void test_threads(cf_engine *e) {
  struct thread_result r = {NULL, 0, 0, 0};
  cf_model *m = make_trained(e, "threads", NULL);
  pthread_t thread;
  void *failed = &r;
  int i, trained = 0;
  r.engine = e;
  (void)cf_model_version(NULL, NULL); /* this thread's last error names cf_model_version */
  CHECK(pthread_create(&thread, NULL, worker, &r) == 0, "start a second thread");
  for (i = 0; i < 200; i++) trained += cf_model_train(m, "ham", "team meeting at noon", 20) == 0;
  CHECK(pthread_join(thread, &failed) == 0 && failed == NULL, "join the second thread");
  CHECK(r.fresh_error_empty, "a new thread's cf_last_error() is \"\"");
  CHECK(r.own_error, "a thread's last error is its own failure");
  CHECK(strncmp(cf_last_error(), "cf_model_version:", 17) == 0,
        "another thread's failure does not touch this thread's last error");
  CHECK(trained == 200 && version_of(m) == 201, "200 training steps while another thread reads");
  CHECK(r.classified == 2000, "2000 classifications concurrent with training all succeed");
  cf_model_release(m);
}

/* Polls the reader's model until it reaches `want` (5 s at most) and says whether it did. */
static int reaches_version(cf_model *m, uint64_t want) {
  int polls;
  for (polls = 0; polls < 5000 && version_of(m) != want; polls++) sleep_ms(1);
  return version_of(m) == want;
}

/* A writer and a reader ({"mode": "read"}) on one directory: the reader refuses the writing
 * verbs with CF_NOT_SUPPORTED and follows the writer's versions, scores and all. (Readers in
 * other processes: tests/python/test_readers.py.) */
static void test_readers(void) {
  const char *labels[] = {"ham"}, *texts[] = {"weekly team sync"};
  char db[300], missing[300], *json = NULL;
  cf_engine *w = NULL, *r = NULL, *other = (cf_engine *)g_dir;
  cf_model *wm = NULL, *rm = NULL, *m = (cf_model *)g_dir;
  double ws[2] = {0, 0}, rs[2] = {1, 1};
  int i;

  path_in_dir(db, sizeof db, "readers");
  path_in_dir(missing, sizeof missing, "readers_missing");
  EXPECT(CF_NOT_FOUND, cf_engine_open(missing, "{\"mode\": \"read\"}", &other),
         "a reader on a missing directory");
  CHECK(other == NULL && access(missing, F_OK) != 0, "a failed reader open creates nothing");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open("memory:", "{\"mode\": \"read\"}", &other),
         "a reader in memory");
  EXPECT(CF_INVALID_ARGUMENT, cf_engine_open(db, "{\"mode\": \"reader\"}", &other),
         "an unknown mode");
  EXPECT(CF_OK, cf_engine_open(db, NULL, &w), "open the writer");
  if (w == NULL) return;
  EXPECT(CF_OK, cf_engine_recovery_report(w, &json), "recovery report of a normal open");
  CHECK(json != NULL && strstr(json, "\"performed\":false") != NULL &&
            strstr(json, "\"models\":[]") != NULL,
        "a normal open reports {\"performed\": false, \"models\": []}");
  cf_free(json);
  wm = make_trained(w, "followed", NULL);
  EXPECT(CF_OK, cf_engine_open(db, "{\"mode\": \"read\", \"follow_interval_ms\": 2}", &r),
         "open a reader beside the writer");
  if (r != NULL) {
    EXPECT(CF_OK, cf_model_get(r, "followed", &rm), "the reader has the writer's model");
    CHECK(version_of(rm) == version_of(wm), "the reader opens at the writer's version");
    EXPECT(CF_NOT_SUPPORTED, cf_model_train(rm, "ham", texts[0], 16), "train through the reader");
    EXPECT(CF_NOT_SUPPORTED, cf_model_train_batch(rm, labels, texts, NULL, 1),
           "train_batch through the reader");
    EXPECT(CF_NOT_SUPPORTED, cf_model_create(r, "other", "bayes", NULL, &m),
           "create through the reader");
    CHECK(m == NULL, "a refused create sets *out to NULL");
    EXPECT(CF_NOT_SUPPORTED, cf_model_drop(r, "followed"), "drop through the reader");
    EXPECT(CF_BUSY, cf_engine_open(db, NULL, &other), "a second writer beside writer and reader");
    CHECK(version_of(rm) == 1 && version_of(wm) == 1, "the refused verbs changed no version");
    for (i = 0; i < 3; i++) {
      EXPECT(CF_OK, cf_model_train(wm, "spam", "cheap pills again", 17), "the writer trains");
    }
    CHECK(reaches_version(rm, version_of(wm)), "the reader reaches the writer's version 4");
    EXPECT(CF_OK, cf_model_scores(wm, "cheap meeting", 13, ws, 2), "the writer's scores");
    EXPECT(CF_OK, cf_model_scores(rm, "cheap meeting", 13, rs, 2), "the reader's scores");
    CHECK(ws[0] == rs[0] && ws[1] == rs[1], "the reader scores exactly as the writer");
    cf_model_release(rm);
    cf_engine_close(r);
  }
  cf_model_release(wm);
  cf_engine_close(w);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

struct fit_calls {
  int calls;
  uint64_t last_done, last_total;
  int last_epoch;
};

static void count_fit_progress(uint64_t done, uint64_t total, int epoch, double loss, void *user) {
  struct fit_calls *calls = (struct fit_calls *)user;
  (void)loss;
  calls->calls++;
  calls->last_done = done;
  calls->last_total = total;
  calls->last_epoch = epoch;
}

/* cf_model_fit: the linear kind's epochs, threads and progress, and its bad arguments. */
static void test_fit(cf_engine *e) {
  cf_model *m = NULL;
  struct fit_calls calls = {0, 0, 0, 0};
  char *label = NULL;
  uint64_t version = 0;
  EXPECT(CF_OK, cf_model_create(e, "lin", "linear", "{\"hash_bits\": 12, \"seed\": 3}", &m),
         "create a linear model");
  {
    cf_model *other = NULL;
    EXPECT(CF_INVALID_ARGUMENT, cf_model_create(e, "lin2", "linear", "{\"alpha\": 0.5}", &other),
           "a bayes key for a linear model");
  }
  EXPECT(CF_INVALID_ARGUMENT,
         cf_model_fit(m, kLabels, kTexts, NULL, COUNT(kTexts), -1, 0, NULL, NULL),
         "negative epochs");
  EXPECT(CF_INVALID_ARGUMENT,
         cf_model_fit(m, kLabels, kTexts, NULL, COUNT(kTexts), 1, -2, NULL, NULL),
         "negative threads");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_fit(m, NULL, kTexts, NULL, 1, 0, 0, NULL, NULL),
         "NULL labels");
  EXPECT(CF_OK, cf_model_version(m, &version), "version after refused fits");
  CHECK(version == 0, "refused fits commit nothing");
  EXPECT(CF_OK,
         cf_model_fit(m, kLabels, kTexts, NULL, COUNT(kTexts), 3, 1, count_fit_progress, &calls),
         "fit 3 epochs on one thread");
  CHECK(calls.calls == 3 && calls.last_epoch == 3 && calls.last_done == 3 * COUNT(kTexts) &&
            calls.last_total == calls.last_done,
        "progress reports each epoch with the user pointer");
  EXPECT(CF_OK, cf_model_version(m, &version), "version after fit");
  CHECK(version == 1, "a fit is one version");
  EXPECT(CF_OK, cf_model_classify(m, "cheap pills", 11, &label, NULL), "classify after fit");
  CHECK(take_string_eq(label, "spam"), "the linear model learned the corpus");
  EXPECT(CF_NOT_SUPPORTED, cf_model_untrain(m, "spam", "cheap pills", 11),
         "a linear model cannot untrain");
  {
    char *json = NULL;
    EXPECT(CF_OK, cf_model_explain(m, "cheap pills", 11, 2, &json), "explain a text");
    CHECK(json != NULL && strstr(json, "\"label\":\"spam\"") != NULL &&
              strstr(json, "\"ngram\":") != NULL && strstr(json, "\"log_odds\":") != NULL,
          "the explanation names the label and its n-grams");
    cf_free(json);
    json = (char *)1;
    EXPECT(CF_INVALID_ARGUMENT, cf_model_explain(NULL, "x", 1, 0, &json), "explain NULL model");
    CHECK(json == NULL, "a failed explain sets *json to NULL");
    EXPECT(CF_INVALID_ARGUMENT, cf_model_explain(m, "x", 1, 0, NULL), "explain NULL json");
  }
  cf_model_release(m);
}

/* The lsi kind's items: add (ids given, assigned, labels or none), search, related, remove,
 * the index status, and the refusals of the other kinds and of bad arguments. */
static void test_items(cf_engine *e) {
  static const char *const texts[] = {"the cat sat on the mat", "a kitten and the cat on the mat",
                                      "the stock market fell", "shares on the stock market",
                                      "a goal won the football match"};
  static const char *const labels[] = {"pets", "pets", "finance", "finance", NULL};
  static const char *const ids[] = {"cat1", NULL, "fin1", "fin2", "sport1"};
  cf_model *m = NULL, *bayes = NULL;
  char *json = NULL;
  uint64_t version = 0;
  EXPECT(CF_OK, cf_model_create(e, "items", "lsi", "{\"rebuild_after\": 0, \"rank\": 4}", &m),
         "create an lsi model");
  EXPECT(CF_OK, cf_model_add_items(m, texts, NULL, labels, ids, COUNT(texts), &json), "add items");
  CHECK(json != NULL && strstr(json, "\"cat1\"") != NULL && strstr(json, "\"sport1\"") != NULL,
        "the ids come back, given and assigned");
  cf_free(json);
  json = (char *)1;
  EXPECT(CF_ALREADY_EXISTS, cf_model_add_items(m, texts, NULL, NULL, ids, 1, &json),
         "an id the model has");
  CHECK(json == NULL, "a failed add sets *ids_json to NULL");
  EXPECT(CF_OK, cf_model_version(m, &version), "version after adds");
  CHECK(version == 1, "one add_items call is one version");
  EXPECT(CF_OK, cf_model_build_index(m), "build the index");
  EXPECT(CF_OK, cf_model_search(m, "stock market shares", 19, 2, &json), "search");
  CHECK(json != NULL && strstr(json, "\"fin") != NULL &&
            strstr(json, "\"label\":\"finance\"") != NULL,
        "search finds the finance items");
  cf_free(json);
  EXPECT(CF_OK, cf_model_find_related(m, "cat1", 1, &json), "find related");
  CHECK(json != NULL && strstr(json, "\"cat1\"") == NULL && strstr(json, "pets") != NULL,
        "related items leave the item out and stay in its topic");
  cf_free(json);
  EXPECT(CF_NOT_FOUND, cf_model_find_related(m, "nope", 1, &json), "related to an unknown id");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_search(m, "x", 1, 0, &json), "search for 0 items");
  EXPECT(CF_INVALID_ARGUMENT, cf_model_search(m, "x", 1, 1, NULL), "search with NULL json");
  {
    const char *const gone[] = {"fin1", "ghost"};
    EXPECT(CF_NOT_FOUND, cf_model_remove_items(m, gone, 2), "remove an unknown id");
    EXPECT(CF_OK, cf_model_remove_items(m, gone, 1), "remove an item");
  }
  EXPECT(CF_OK, cf_model_index_status(m, &json), "index status");
  CHECK(json != NULL && strstr(json, "\"items\":4") != NULL &&
            strstr(json, "\"indexed_items\":5") != NULL && strstr(json, "\"changes\":1") != NULL,
        "the status counts items, the indexed ones and the changes since");
  cf_free(json);
  EXPECT(CF_NOT_SUPPORTED, cf_model_untrain(m, "pets", "the cat sat on the mat", 22),
         "an lsi model cannot untrain");
  EXPECT(CF_OK, cf_model_create(e, "no_items", "bayes", NULL, &bayes), "create a bayes model");
  EXPECT(CF_NOT_SUPPORTED, cf_model_add_items(bayes, texts, NULL, NULL, NULL, 1, NULL),
         "a bayes model has no items");
  EXPECT(CF_NOT_SUPPORTED, cf_model_search(bayes, "x", 1, 1, &json), "a bayes model cannot search");
  EXPECT(CF_NOT_SUPPORTED, cf_model_build_index(bayes), "a bayes model has no index");
  cf_model_release(bayes);
  cf_model_release(m);
}

/* Multilabel models: label sets in, every label that reaches its threshold out, thresholds set,
 * tuned and read, evaluation of sets, and the refusals of single-label models. */
static void test_multilabel(cf_engine *e) {
  static const char *const texts[] = {"goal match team",          "vote election senate",
                                      "goal match vote election", "software chip code",
                                      "team goal code chip",      "the news today"};
  /* sports | politics | sports politics | tech | sports tech | (none) */
  static const char *const labels[] = {"sports", "politics", "sports", "politics",
                                       "tech",   "sports",   "tech"};
  static const size_t counts[] = {1, 1, 2, 1, 2, 0};
  cf_model *m = NULL, *single = NULL;
  size_t indices[8], count = 0, n_labels = 0;
  double probabilities[8], thresholds[3];
  int multilabel = -1;
  char *json = NULL;
  uint64_t version = 0;
  EXPECT(CF_OK,
         cf_model_create(e, "tags", "linear",
                         "{\"multilabel\": true, \"hash_bits\": 12, \"epochs\": 30}", &m),
         "create a multilabel model");
  EXPECT(CF_OK, cf_model_multilabel(m, &multilabel), "ask whether it is multilabel");
  CHECK(multilabel == 1, "it is");
  EXPECT(CF_INVALID_ARGUMENT,
         cf_model_fit_label_sets(m, labels, NULL, texts, NULL, COUNT(texts), 0, 1, NULL, NULL),
         "NULL counts");
  EXPECT(CF_OK,
         cf_model_fit_label_sets(m, labels, counts, texts, NULL, COUNT(texts), 0, 1, NULL, NULL),
         "fit label sets");
  EXPECT(CF_OK, cf_model_version(m, &version), "version after the fit");
  CHECK(version == 1, "a fit of sets is one version");
  EXPECT(CF_OK, cf_model_label_count(m, &n_labels), "label count");
  CHECK(n_labels == 3, "three labels");
  EXPECT(CF_OK,
         cf_model_classify_top(m, "goal match vote election", 24, n_labels, -1, indices,
                               probabilities, &count),
         "classify into a set");
  CHECK(count == 2 && probabilities[0] >= 0.5 && probabilities[1] >= 0.5,
        "both labels of the text, each at or above its threshold");
  EXPECT(CF_OK, cf_model_classify_top(m, "the news today", 14, n_labels, -1, indices, NULL, &count),
         "classify a text of no label");
  CHECK(count == 0, "no label");
  {
    const char *const sports[] = {"sports"};
    const char *const unknown[] = {"weather"};
    const double high[] = {1.0}, bad[] = {1.5};
    EXPECT(CF_INVALID_ARGUMENT, cf_model_set_thresholds(m, sports, bad, 1), "threshold above 1");
    EXPECT(CF_NOT_FOUND, cf_model_set_thresholds(m, unknown, high, 1), "an unknown label");
    EXPECT(CF_OK, cf_model_set_thresholds(m, sports, high, 1), "set a threshold");
    EXPECT(CF_OK, cf_model_thresholds(m, thresholds, 3), "read the thresholds");
    CHECK(thresholds[0] == 1.0 && thresholds[1] == 0.5 && thresholds[2] == 0.5,
          "the set one, the others at 0.5");
    EXPECT(CF_INVALID_ARGUMENT, cf_model_thresholds(m, thresholds, 2), "a wrong count");
    EXPECT(CF_OK,
           cf_model_classify_top(m, "goal match vote election", 24, n_labels, -1, indices, NULL,
                                 &count),
           "classify after raising a threshold");
    CHECK(count == 1, "sports no longer reaches its threshold");
  }
  EXPECT(CF_OK, cf_model_tune_thresholds(m, labels, counts, texts, NULL, COUNT(texts)),
         "tune the thresholds");
  EXPECT(CF_OK, cf_model_thresholds(m, thresholds, 3), "read the tuned thresholds");
  CHECK(thresholds[0] < 1.0, "tuning moved the raised threshold");
  EXPECT(CF_OK, cf_model_evaluate_label_sets(m, labels, counts, texts, NULL, COUNT(texts), &json),
         "evaluate label sets");
  CHECK(json != NULL && strstr(json, "\"multilabel\":true") != NULL &&
            strstr(json, "\"accuracy\":1.0") != NULL && strstr(json, "\"micro_f1\":1.0") != NULL,
        "the tuned model gets every training text's set exactly");
  cf_free(json);
  EXPECT(
      CF_OK,
      cf_model_cross_validate_label_sets(m, labels, counts, texts, NULL, COUNT(texts), 2, 7, &json),
      "cross-validate label sets");
  CHECK(json != NULL && json[0] == '[' && strstr(json, "\"micro_f1\"") != NULL, "a fold array");
  cf_free(json);
  EXPECT(CF_OK, cf_model_train_label_sets(m, labels, counts, texts, NULL, 2), "online sets");
  EXPECT(CF_OK, cf_model_create(e, "one_label", "linear", "{\"hash_bits\": 12}", &single),
         "create a single-label linear model");
  EXPECT(CF_OK, cf_model_multilabel(single, &multilabel), "ask again");
  CHECK(multilabel == 0, "it is not");
  EXPECT(CF_NOT_SUPPORTED, cf_model_train_label_sets(single, labels, counts, texts, NULL, 1),
         "sets for a single-label model");
  EXPECT(CF_NOT_SUPPORTED, cf_model_thresholds(single, thresholds, 0), "no thresholds");
  cf_model_release(single);
  single = NULL;
  EXPECT(CF_INVALID_ARGUMENT,
         cf_model_create(e, "tags2", "linear", "{\"multilabel\": true, \"min_confidence\": 0.4}",
                         &single),
         "min_confidence for a multilabel model");
  CHECK(single == NULL, "a refused create sets *out to NULL");
  cf_model_release(m);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  cf_engine *e = NULL;
  cf_model *m = NULL;

  setvbuf(stdout, NULL, _IOLBF, 0);
  snprintf(g_dir, sizeof g_dir, "%s/classiflow_capi_XXXXXX", tmp != NULL ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  test_library();
  test_engine_open();
  EXPECT(CF_OK, cf_engine_open("memory:", NULL, &e), "open the shared memory engine");
  if (e != NULL) {
    test_model_lifetime(e);
    m = make_trained(e, "spam", NULL);
    test_null_arguments(e, m);
    test_huge_batches(m);
    cf_model_release(m);
    test_training(e);
    test_classification(e);
    test_files(e);
    test_crafted_files();
    test_threads(e);
    test_fit(e);
    test_items(e);
    test_multilabel(e);
    cf_engine_close(e);
  }
  test_durable();
  test_readers();
  nftw(g_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return finish();
}
