/* Exercises the pipeline part of the C API from real C11, on a RocksDB data directory: lifetime,
 * submitting (one, many, try), results, callbacks run on library threads (results, dead letters,
 * enrich, validate), retries, dead letters and requeue, statistics, bad input, and reopen. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, nanosleep */

#include <ftw.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* Callbacks run on the library's threads: every value they share with the test is atomic, and
 * they never print or call check() (its counters are the main thread's). */
#include <classiflow/classiflow.h>

#include "check.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char g_dir[256];

/* Pipelines whose callbacks fail, wait or retry: small backoffs keep the test fast. */
static const char *const kSentiment =
    "{\"stages\": ["
    " {\"name\": \"sentiment\", \"classify\": \"sentiment\","
    "  \"routes\": {\"pos\": \"happy\", \"*\": \"unhappy\"}},"
    " {\"name\": \"happy\", \"sink\": {}}, {\"name\": \"unhappy\", \"sink\": {\"ttl_s\": 3600}}]}";
static const char *const kEnrich =
    "{\"stages\": [{\"name\": \"s\", \"classify\": \"sentiment\", \"next\": \"lookup\"},"
    " {\"name\": \"lookup\", \"enrich\": \"crm\", \"next\": \"out\"},"
    " {\"name\": \"out\", \"sink\": {}}],"
    " \"max_attempts\": 2, \"retry\": {\"initial_ms\": 1, \"max_ms\": 5}}";
static const char *const kSlow =
    "{\"stages\": [{\"name\": \"e\", \"enrich\": \"slow\", \"next\": \"out\"},"
    " {\"name\": \"out\", \"sink\": {}}], \"max_in_flight\": 4}";
static const char *const kValidate =
    "{\"stages\": [{\"name\": \"ids\", \"extract\": [{\"sku\": \"SKU-(\\\\d+)\"}], "
    "\"next\": \"check\"},"
    " {\"name\": \"check\", \"validate\": [{\"field\": \"sku\", \"callback\": \"even\"}],"
    "  \"on_valid\": \"ok\", \"on_invalid\": \"bad\", \"on_absent\": \"ok\"},"
    " {\"name\": \"ok\", \"sink\": {}}, {\"name\": \"bad\", \"sink\": {}}]}";

/* Waits up to 5 s for *counter to reach `want`, and says whether it did. */
static int reaches(atomic_int *counter, int want) {
  int polls;
  for (polls = 0; polls < 1000 && atomic_load(counter) < want; polls++) sleep_ms(5);
  return atomic_load(counter) == want;
}

/* Whether `s` (handed out by the library) contains `needle`; frees `s`. */
static int take_contains(char *s, const char *needle) {
  int found = s != NULL && strstr(s, needle) != NULL;
  if (s != NULL && !found) printf("     (\"%s\" not in %s)\n", needle, s);
  cf_free(s);
  return found;
}

static int count_of(const char *s, const char *needle) {
  int n = 0;
  for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle)) n++;
  return n;
}

static char *result_of(cf_pipeline *p, const char *id) {
  char *json = NULL;
  if (cf_pipeline_result_json(p, id, &json) != CF_OK) return NULL;
  return json;
}

static void train_sentiment(cf_engine *e) {
  static const char *const texts[] = {"good great fine", "great good nice", "bad awful poor",
                                      "awful bad terrible"};
  static const char *const labels[] = {"pos", "pos", "neg", "neg"};
  cf_model *m = NULL;
  EXPECT(CF_OK, cf_model_create(e, "sentiment", NULL, NULL, &m), "create the model");
  EXPECT(CF_OK, cf_model_train_batch(m, labels, texts, NULL, COUNT(texts)), "train it");
  cf_model_release(m);
}

/* ---- callbacks (library threads) ---------------------------------------------------------- */

static atomic_int g_results, g_batched, g_batches, g_dead, g_healthy, g_enrich_calls;
static atomic_int g_bad_field_status, g_saw_item_shape;

static void count_result(void *user, const char *json) {
  (void)user;
  if (strstr(json, "\"route\"") != NULL) atomic_fetch_add(&g_results, 1);
}

static void count_results(void *user, const char *const *json, size_t n) {
  (void)user;
  if (n > 0 && json[n - 1] != NULL) atomic_fetch_add(&g_batched, (int)n);
  atomic_fetch_add(&g_batches, 1);
}

static void count_dead(void *user, const char *json) {
  (void)user;
  if (strstr(json, "\"error\"") != NULL) atomic_fetch_add(&g_dead, 1);
}

/* Sets "customer" and "tier"; refuses bad fields first, as a careless callback might try. */
static cf_status enrich_ok(void *user, const char *item, cf_fields *out) {
  int bad = 0;
  (void)user;
  atomic_fetch_add(&g_enrich_calls, 1);
  if (strstr(item, "\"predictions\"") != NULL && strstr(item, "\"attempt\":1") != NULL &&
      strstr(item, "\"text\"") != NULL) {
    atomic_store(&g_saw_item_shape, 1);
  }
  bad += cf_fields_set(out, "x", "{bad") == CF_INVALID_ARGUMENT;
  bad += cf_fields_set(out, "x", "NaN") == CF_INVALID_ARGUMENT;
  bad += cf_fields_set(out, "", "1") == CF_INVALID_ARGUMENT;
  bad += cf_fields_set(out, "x", NULL) == CF_INVALID_ARGUMENT;
  atomic_store(&g_bad_field_status, bad);
  if (cf_fields_set(out, "customer", "\"acme\"") != CF_OK) return CF_INTERNAL;
  if (cf_fields_set(out, "tier", "1") != CF_OK) return CF_INTERNAL;
  return cf_fields_set(out, "tier", "{\"level\": 2}"); /* the last value wins */
}

static cf_status enrich_flaky(void *user, const char *item, cf_fields *out) {
  (void)user;
  (void)item;
  if (!atomic_load(&g_healthy)) return CF_UNAVAILABLE;
  return cf_fields_set(out, "ok", "true");
}

/* "\"42\"" is valid: the number's last digit is even. */
static cf_status validate_even(void *user, const char *item, const char *value, uint8_t *valid) {
  size_t n = strlen(value);
  (void)user;
  (void)item;
  if (n < 3) return CF_INVALID_ARGUMENT;
  *valid = (uint8_t)((value[n - 2] - '0') % 2 == 0);
  return CF_OK;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_lifetime(cf_engine *e) {
  cf_pipeline *p = NULL, *again = NULL, *other = NULL;
  char *json = NULL;
  EXPECT(CF_OK, cf_pipeline_names_json(e, &json), "names with no pipeline");
  CHECK(take_string_eq(json, "[]"), "no pipelines: []");
  EXPECT(CF_OK, cf_pipeline_create(e, "reviews", kSentiment, &p), "create a pipeline");
  EXPECT(CF_OK, cf_pipeline_create(e, "reviews", kSentiment, &again), "create it again");
  cf_pipeline_release(again);
  EXPECT(
      CF_ALREADY_EXISTS,
      cf_pipeline_create(e, "reviews", "{\"stages\": [{\"name\": \"o\", \"sink\": {}}]}", &again),
      "the name with another spec");
  CHECK(again == NULL, "a failed create sets *out to NULL");
  EXPECT(CF_OK, cf_pipeline_create(e, "other", kSentiment, &other), "create a second pipeline");
  EXPECT(CF_OK, cf_pipeline_get(e, "reviews", &again), "get a pipeline");
  cf_pipeline_release(again);
  EXPECT(CF_OK, cf_pipeline_names_json(e, &json), "names");
  CHECK(take_string_eq(json, "[\"other\",\"reviews\"]"), "names are sorted");
  EXPECT(CF_OK, cf_pipeline_drop(e, "other"), "drop a pipeline");
  EXPECT(CF_NOT_FOUND, cf_pipeline_drop(e, "other"), "drop it twice");
  EXPECT(CF_NOT_FOUND, cf_pipeline_get(e, "other", &again), "get a dropped pipeline");
  EXPECT(CF_UNAVAILABLE, cf_pipeline_submit(other, "good", 4, NULL, NULL, NULL),
         "submit through a handle to a dropped pipeline");
  cf_pipeline_release(other);
  cf_pipeline_release(p);
  cf_pipeline_release(NULL);
}

static void test_submit(cf_pipeline *p) {
  char *id = NULL;
  EXPECT(CF_OK, cf_pipeline_submit(p, "a good great day", 16, "r1", "{\"user\": 7}", &id),
         "submit with an id and meta");
  CHECK(take_string_eq(id, "r1"), "*out_id is the caller's id");
  CHECK(take_contains(result_of(p, "r1"), "\"route\":[\"sentiment\",\"happy\"]"),
        "the result is durable when submit returns, with its route");
  CHECK(take_contains(result_of(p, "r1"), "\"label\":\"pos\""), "and its prediction");
  CHECK(take_contains(result_of(p, "r1"), "\"meta\":{\"user\":7}"), "and its meta");
  EXPECT(CF_OK, cf_pipeline_submit(p, "bad awful", 9, NULL, NULL, &id), "submit, id generated");
  CHECK(id != NULL && strlen(id) > 0, "a generated id is handed out");
  CHECK(take_contains(result_of(p, id), "\"unhappy\""), "its result is found by that id");
  cf_free(id);
  EXPECT(CF_OK, cf_pipeline_submit(p, "bad", 3, "", NULL, NULL), "id \"\" and out_id NULL");
  EXPECT(CF_OK, cf_pipeline_submit(p, "bad awful bad", 13, "r1", NULL, &id),
         "submit a duplicate id");
  CHECK(take_string_eq(id, "r1"), "a duplicate returns its id");
  CHECK(take_contains(result_of(p, "r1"), "\"happy\""), "and gets no second result");
  EXPECT(CF_NOT_FOUND, cf_pipeline_result_json(p, "nope", &id), "result of an unknown id");
  CHECK(id == NULL, "a failed result_json sets *json to NULL");
}

static void test_submit_many(cf_pipeline *p) {
  const char *texts[] = {"good xx", "bad awful", "great"};
  const size_t lens[] = {4, 9, 5}; /* "good" of "good xx" */
  const char *ids[] = {"m1", NULL, "m3"};
  const char *metas[] = {NULL, "{\"k\": 1}", NULL};
  const char *bad[] = {"good", ""};
  char **out = NULL;
  char *json = NULL;
  EXPECT(CF_OK, cf_pipeline_submit_many(p, texts, lens, ids, metas, 3, &out),
         "submit_many with ids, generated ids and meta");
  CHECK(out != NULL && strcmp(out[0], "m1") == 0 && strcmp(out[2], "m3") == 0 &&
            strlen(out[1]) > 0 && strcmp(out[1], "m1") != 0,
        "*out_ids holds the ids in order");
  if (out != NULL) CHECK(take_contains(result_of(p, out[1]), "\"k\":1"), "generated id's meta");
  cf_free(out); /* one block */
  CHECK(take_contains(result_of(p, "m1"), "\"happy\""), "lens cut the text");
  EXPECT(CF_OK, cf_pipeline_submit_many(p, texts, NULL, NULL, NULL, 3, NULL),
         "NUL-terminated texts, no ids, no out_ids");
  out = (char **)g_dir;
  EXPECT(CF_OK, cf_pipeline_submit_many(p, NULL, NULL, NULL, NULL, 0, &out), "n == 0");
  CHECK(out == NULL, "n == 0 sets *out_ids to NULL");
  ids[0] = "bad0";
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit_many(p, bad, NULL, ids, NULL, 2, &out),
         "a batch with an empty text");
  CHECK(strstr(cf_last_error(), "items[1]") != NULL, "the error names the bad item");
  EXPECT(CF_NOT_FOUND, cf_pipeline_result_json(p, "bad0", &json),
         "a refused batch accepts none of its items");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit_many(p, NULL, NULL, NULL, NULL, 1, &out),
         "texts NULL with n > 0");
  EXPECT(CF_INVALID_ARGUMENT,
         cf_pipeline_submit_many(p, texts, NULL, NULL, NULL, CF_MAX_BATCH + (size_t)1, &out),
         "n > CF_MAX_BATCH");
}

static void test_try_submit_and_enrich(cf_engine *e) {
  cf_pipeline *p = NULL;
  char *id = NULL;
  int i;
  EXPECT(CF_OK, cf_pipeline_create(e, "slow", kSlow, &p), "create an enrich pipeline");
  for (i = 0; i < 4; i++) {
    EXPECT(CF_OK, cf_pipeline_try_submit(p, "x", 1, NULL, NULL, NULL), "try_submit, not full");
  }
  EXPECT(CF_BUSY, cf_pipeline_try_submit(p, "x", 1, "fifth", NULL, &id),
         "try_submit with max_in_flight items waiting for a callback");
  CHECK(id == NULL, "a refused try_submit sets *out_id to NULL");
  EXPECT(CF_BUSY, cf_pipeline_flush(p, 50), "flush times out while items wait for a callback");
  CHECK(strstr(cf_last_error(), "not registered") != NULL, "and says why");
  EXPECT(CF_OK, cf_pipeline_register_enrich(p, "slow", enrich_ok, NULL), "register enrich");
  EXPECT(CF_OK, cf_pipeline_flush(p, 10000), "flush after registering");
  CHECK(atomic_load(&g_enrich_calls) == 4, "the callback ran once per item");
  CHECK(atomic_load(&g_saw_item_shape) == 1, "it got the item JSON");
  CHECK(atomic_load(&g_bad_field_status) == 4, "cf_fields_set refuses bad names and values");
  EXPECT(CF_OK, cf_pipeline_try_submit(p, "x", 1, "sixth", NULL, NULL), "try_submit has room");
  EXPECT(CF_OK, cf_pipeline_flush(p, 10000), "flush");
  CHECK(take_contains(result_of(p, "sixth"), "\"customer\":\"acme\""), "enriched fields");
  CHECK(take_contains(result_of(p, "sixth"), "\"tier\":{\"level\":2}"), "last value wins");
  cf_pipeline_release(p);
}

static void test_dead_letters(cf_engine *e) {
  cf_pipeline *p = NULL;
  char *json = NULL;
  EXPECT(CF_OK, cf_pipeline_create(e, "flaky", kEnrich, &p), "create a flaky pipeline");
  EXPECT(CF_OK, cf_pipeline_on_dead_letter(p, count_dead, NULL), "on_dead_letter");
  EXPECT(CF_OK, cf_pipeline_register_enrich(p, "crm", enrich_flaky, NULL), "register enrich");
  EXPECT(CF_OK, cf_pipeline_submit(p, "good", 4, "d1", NULL, NULL), "submit");
  EXPECT(CF_OK, cf_pipeline_flush(p, 10000), "flush: retried, then dead-lettered");
  EXPECT(CF_NOT_FOUND, cf_pipeline_result_json(p, "d1", &json), "no result");
  EXPECT(CF_OK, cf_pipeline_dead_letters_json(p, 0, &json), "dead letters");
  CHECK(json != NULL && strstr(json, "\"id\":\"d1\"") && strstr(json, "\"stage\":\"lookup\"") &&
            strstr(json, "returned CF_UNAVAILABLE") && strstr(json, "\"attempts\":2"),
        "the dead letter names the stage, the callback's code and the attempts");
  cf_free(json);
  CHECK(reaches(&g_dead, 1), "on_dead_letter saw it");
  EXPECT(CF_NOT_FOUND, cf_pipeline_requeue(p, "nope"), "requeue an unknown id");
  atomic_store(&g_healthy, 1);
  EXPECT(CF_OK, cf_pipeline_requeue(p, "d1"), "requeue the dead letter");
  EXPECT(CF_OK, cf_pipeline_flush(p, 10000), "flush");
  CHECK(take_contains(result_of(p, "d1"), "\"ok\":true"), "the requeued item has its result");
  EXPECT(CF_OK, cf_pipeline_dead_letters_json(p, 0, &json), "dead letters again");
  CHECK(take_string_eq(json, "[]"), "none left");
  EXPECT(CF_OK, cf_pipeline_stats_json(p, &json), "stats");
  CHECK(take_contains(json, "\"retries\":1"), "one retry before the dead letter");
  cf_pipeline_release(p);
}

static void test_validator(cf_engine *e) {
  cf_pipeline *p = NULL;
  EXPECT(CF_OK, cf_pipeline_create(e, "skus", kValidate, &p), "create a validate pipeline");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_register_validator(p, "odd", validate_even, NULL),
         "register a validator no check names");
  EXPECT(CF_OK, cf_pipeline_register_validator(p, "even", validate_even, NULL), "register");
  EXPECT(CF_OK, cf_pipeline_submit(p, "item SKU-42", 11, "v1", NULL, NULL), "submit even");
  EXPECT(CF_OK, cf_pipeline_submit(p, "item SKU-43", 11, "v2", NULL, NULL), "submit odd");
  EXPECT(CF_OK, cf_pipeline_flush(p, 10000), "flush");
  CHECK(take_contains(result_of(p, "v1"), "\"valid\":{\"sku\":true}"), "even is valid");
  CHECK(take_contains(result_of(p, "v2"), "\"route\":[\"ids\",\"check\",\"bad\"]"),
        "odd goes on_invalid");
  cf_pipeline_release(p);
}

static void test_result_callbacks(cf_engine *e) {
  static const char *texts[1000];
  cf_pipeline *p = NULL;
  char *json = NULL;
  size_t i;
  for (i = 0; i < COUNT(texts); i++) texts[i] = i % 2 ? "good" : "bad";
  EXPECT(CF_OK, cf_pipeline_create(e, "counted", kSentiment, &p), "create");
  EXPECT(CF_OK, cf_pipeline_on_result(p, count_result, NULL), "on_result");
  EXPECT(CF_OK, cf_pipeline_on_results(p, count_results, NULL, 100, 5), "on_results");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_on_results(p, count_results, NULL, 0, 5),
         "on_results with max_items 0");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_on_results(p, count_results, NULL, 1, -1),
         "on_results with a negative delay");
  EXPECT(CF_OK, cf_pipeline_submit_many(p, texts, NULL, NULL, NULL, COUNT(texts), NULL),
         "submit 1000");
  EXPECT(CF_OK, cf_pipeline_flush(p, -1), "flush");
  CHECK(reaches(&g_results, 1000), "on_result saw every result once");
  CHECK(reaches(&g_batched, 1000), "on_results saw every result once");
  CHECK(atomic_load(&g_batches) >= 10, "in batches of at most 100");
  EXPECT(CF_OK, cf_pipeline_results_json(p, 2, &json), "the newest results");
  CHECK(json != NULL && json[0] == '[' && count_of(json, "\"route\"") == 2,
        "two of them, as a JSON array");
  cf_free(json);
  EXPECT(CF_OK, cf_pipeline_results_json(p, 0, &json), "results_json(0)");
  CHECK(take_string_eq(json, "[]"), "is []");
  EXPECT(CF_OK, cf_pipeline_stats_json(p, &json), "stats");
  CHECK(take_contains(json, "\"completed\":1000"), "stats count the results");
  EXPECT(CF_OK, cf_pipeline_metrics_text(p, &json), "metrics text");
  CHECK(take_contains(json, "classiflow_pipeline_completed_total{pipeline=\"counted\"} 1000"),
        "metrics name the pipeline");
  cf_pipeline_release(p);
}

static void test_bad_input(cf_engine *e, cf_pipeline *p) {
  cf_pipeline *q = (cf_pipeline *)g_dir;
  char *s = NULL;
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_create(NULL, "x", kSentiment, &q), "NULL engine");
  CHECK(q == NULL, "*out is NULL after a failure");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_create(e, NULL, kSentiment, &q), "NULL name");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_create(e, "x", NULL, &q), "NULL spec");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_create(e, "x", kSentiment, NULL), "NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_create(e, "bad name!", kSentiment, &q), "bad name");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_create(e, "x", "{\"stages\": [", &q), "bad JSON");
  EXPECT(CF_INVALID_ARGUMENT,
         cf_pipeline_create(e, "x",
                            "{\"stages\": [{\"name\": \"s\", \"classify\": \"nope\"},"
                            " {\"name\": \"o\", \"sink\": {}}]}",
                            &q),
         "a spec with an unknown model");
  CHECK(strstr(cf_last_error(), "stage 's'") && strstr(cf_last_error(), "classify"),
        "the error names the stage and the field");
  EXPECT(CF_INVALID_ARGUMENT,
         cf_pipeline_create(e, "x",
                            "{\"stages\": [{\"name\": \"e\", \"enrich\": \"f\", "
                            "\"next\": \"nowhere\"}, {\"name\": \"o\", \"sink\": {}}]}",
                            &q),
         "a spec naming an unknown stage");
  CHECK(strstr(cf_last_error(), "stage 'e'") && strstr(cf_last_error(), "nowhere"),
        "the error names the stage and the target");
  EXPECT(CF_OK, cf_pipeline_names_json(e, &s), "names");
  CHECK(take_contains(s, "\"reviews\""), "a refused create adds no pipeline");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_get(e, "x", NULL), "get with NULL out");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_drop(NULL, "x"), "drop with NULL engine");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_names_json(e, NULL), "names with NULL json");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(NULL, "good", 4, NULL, NULL, NULL),
         "submit to NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(p, NULL, 3, NULL, NULL, NULL),
         "text NULL with len > 0");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(p, "", 0, NULL, NULL, NULL), "empty text");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(p, "\xff\xfe", 2, NULL, NULL, NULL),
         "invalid UTF-8 text");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(p, "good", 4, NULL, "{bad", NULL), "bad meta");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(p, "good", 4, NULL, "[1]", NULL),
         "meta that is not an object");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_submit(p, "good", 4, "a\nb", NULL, &s),
         "an id with a control character");
  CHECK(s == NULL, "a failed submit sets *out_id to NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_flush(NULL, 0), "flush NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_result_json(p, NULL, &s), "result of a NULL id");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_result_json(p, "r1", NULL), "result into NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_results_json(NULL, 1, &s), "results of NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_dead_letters_json(p, 0, NULL), "dead letters to NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_requeue(p, NULL), "requeue NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_stats_json(NULL, &s), "stats of NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_metrics_text(p, NULL), "metrics into NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_on_result(p, NULL, NULL), "on_result NULL fn");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_on_results(p, NULL, NULL, 1, 0), "on_results NULL fn");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_on_dead_letter(NULL, count_dead, NULL),
         "on_dead_letter on NULL");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_register_enrich(p, "crm", enrich_ok, NULL),
         "register an enrich callback no stage names");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_register_enrich(p, NULL, enrich_ok, NULL),
         "register a NULL name");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_register_validator(p, "v", NULL, NULL),
         "register a NULL validator");
  EXPECT(CF_INVALID_ARGUMENT, cf_fields_set(NULL, "a", "1"), "cf_fields_set on NULL");
}

/* Items wait durably for an enrich callback across a close; results and specs persist. */
/* Analytics count what the pipeline committed; feedback corrects an answer, once per id. */
static void test_analytics(cf_engine *e) {
  static const char *const kReviews =
      "{\"stages\": [{\"name\": \"s\", \"classify\": \"sentiment\", \"next\": \"out\"},"
      " {\"name\": \"out\", \"sink\": {\"keep_text\": true}}],"
      " \"analytics\": {\"urgent\": {\"labels\": [\"neg\"]},"
      " \"feedback\": {\"train\": \"later\"}}}";
  cf_pipeline *p = NULL;
  char *json = NULL;
  size_t trained = 99;
  EXPECT(CF_OK, cf_pipeline_create(e, "analytics", kReviews, &p), "create a pipeline");
  EXPECT(CF_OK, cf_pipeline_submit(p, "good great", 10, "a1", NULL, NULL), "submit a1");
  EXPECT(CF_OK, cf_pipeline_submit(p, "bad awful", 9, "a2", NULL, NULL), "submit a2");
  EXPECT(CF_OK, cf_pipeline_flush(p, -1), "flush");
  EXPECT(CF_OK, cf_pipeline_analytics_json(p, &json), "analytics");
  CHECK(take_contains(json, "\"items\":2"), "count both results");
  EXPECT(CF_OK, cf_pipeline_analytics_json(p, &json), "analytics again");
  CHECK(take_contains(json, "\"urgent\":[{\"confidence\""), "a2 is urgent");
  EXPECT(CF_OK, cf_pipeline_feedback(p, "a1", "neg", NULL, NULL, 0), "feedback for a1");
  EXPECT(CF_OK, cf_pipeline_feedback(p, "a1", "pos", "s", NULL, 0), "feedback replaced");
  EXPECT(CF_OK, cf_pipeline_analytics_json(p, &json), "analytics after feedback");
  CHECK(take_contains(json, "\"correct\":1"), "the second feedback replaced the first");
  EXPECT(CF_NOT_FOUND, cf_pipeline_feedback(p, "nope", "pos", NULL, NULL, 0),
         "feedback for an unknown id");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_feedback(p, "a1", NULL, NULL, NULL, 0),
         "feedback without a label");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_feedback(p, "a1", "pos", "out", NULL, 0),
         "feedback for a stage that did not classify");
  EXPECT(CF_OK, cf_pipeline_retrain(p, &trained), "retrain");
  CHECK(trained == 1, "retrain trains on the one feedback");
  EXPECT(CF_OK, cf_pipeline_metrics_text(p, &json), "metrics");
  CHECK(take_contains(json, "classiflow_pipeline_feedback_total{pipeline=\"analytics\"} 1"),
        "metrics count the feedback");
  EXPECT(CF_OK, cf_pipeline_reset_analytics(p), "reset");
  EXPECT(CF_OK, cf_pipeline_analytics_json(p, &json), "analytics after the reset");
  CHECK(take_contains(json, "\"items\":0"), "a reset clears the counts");
  EXPECT(CF_OK, cf_pipeline_recount(p), "recount");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_analytics_json(NULL, &json), "a NULL pipeline");
  size_t written = 99;
  EXPECT(CF_OK, cf_pipeline_export_sqlite(p, "analytics.db", &written), "export to SQLite");
  CHECK(written == 2, "both results exported");
  EXPECT(CF_INVALID_ARGUMENT, cf_pipeline_export_sqlite(p, NULL, &written), "export to NULL");
  CHECK(written == 0, "*written is 0 after a failure");
  EXPECT(CF_IO_ERROR, cf_pipeline_export_sqlite(p, "no/such/dir/x.db", NULL),
         "export into a missing directory");
  cf_pipeline_release(p);
}

static void test_reopen(const char *uri) {
  cf_engine *e = NULL;
  cf_pipeline *p = NULL;
  char **ids = NULL;
  char *json = NULL, first[64] = "";
  const char *texts[] = {"good", "bad", "great"};
  EXPECT(CF_OK, cf_engine_open(uri, NULL, &e), "open for the reopen test");
  if (e == NULL) return;
  EXPECT(CF_OK, cf_pipeline_create(e, "waiting", kEnrich, &p), "create an enrich pipeline");
  EXPECT(CF_OK, cf_pipeline_submit_many(p, texts, NULL, NULL, NULL, 3, &ids), "submit 3");
  if (ids != NULL) snprintf(first, sizeof first, "%s", ids[0]);
  cf_free(ids);
  EXPECT(CF_BUSY, cf_pipeline_flush(p, 20), "they wait for the callback");
  cf_engine_close(e);
  EXPECT(CF_UNAVAILABLE, cf_pipeline_submit(p, "good", 4, NULL, NULL, NULL),
         "submit through a handle whose engine closed");
  EXPECT(CF_UNAVAILABLE, cf_pipeline_result_json(p, "r1", &json), "result_json after close");
  cf_pipeline_release(p);

  EXPECT(CF_OK, cf_engine_open(uri, NULL, &e), "reopen");
  if (e == NULL) return;
  EXPECT(CF_OK, cf_pipeline_names_json(e, &json), "names after reopen");
  CHECK(take_contains(json, "\"reviews\""), "pipelines persist");
  EXPECT(CF_OK, cf_pipeline_get(e, "reviews", &p), "get after reopen");
  CHECK(take_contains(result_of(p, "r1"), "\"happy\""), "results persist");
  cf_pipeline_release(p);
  EXPECT(CF_OK, cf_pipeline_get(e, "waiting", &p), "get the waiting pipeline");
  EXPECT(CF_NOT_FOUND, cf_pipeline_result_json(p, first, &json), "its items still wait");
  atomic_store(&g_healthy, 1);
  EXPECT(CF_OK, cf_pipeline_register_enrich(p, "crm", enrich_flaky, NULL), "register again");
  EXPECT(CF_OK, cf_pipeline_flush(p, 10000), "flush");
  CHECK(take_contains(result_of(p, first), "\"attempts\":1"), "they ran, at their first attempt");
  cf_pipeline_release(p);
  cf_engine_close(e);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  char uri[320];
  cf_engine *e = NULL;
  cf_pipeline *p = NULL;

  setvbuf(stdout, NULL, _IOLBF, 0);
  snprintf(g_dir, sizeof g_dir, "%s/classiflow_pipeline_XXXXXX", tmp != NULL ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  snprintf(uri, sizeof uri, "rocksdb:%s/data", g_dir);
  EXPECT(CF_OK, cf_engine_open(uri, NULL, &e), "open a RocksDB engine");
  if (e != NULL) {
    train_sentiment(e);
    test_lifetime(e);
    EXPECT(CF_OK, cf_pipeline_get(e, "reviews", &p), "get reviews");
    test_submit(p);
    test_submit_many(p);
    test_bad_input(e, p);
    cf_pipeline_release(p);
    test_try_submit_and_enrich(e);
    test_dead_letters(e);
    test_validator(e);
    test_result_callbacks(e);
    test_analytics(e);
    cf_engine_close(e);
    atomic_store(&g_healthy, 0);
    test_reopen(uri);
  }
  nftw(g_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return finish();
}
