/* The seed's sentiment service in C: reviews are classified positive / negative / neutral,
 * results are kept for a day, and a result callback (the webhook) sees each one.
 *
 *   sentiment_service [DATA_DIR]      (default: a fresh directory under /tmp)
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <classiflow/classiflow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, cf_last_error());
  return 1;
}

/* The webhook: a real service would POST result_json to its customer. */
static void webhook(void *user, const char *result_json) {
  (void)result_json;
  ++*(int *)user;
}

static const char *const kTrainTexts[] = {"great product, works perfectly",
                                          "love it, excellent quality",
                                          "really good, recommended",
                                          "terrible, broke after a day",
                                          "awful quality, want a refund",
                                          "worst purchase ever",
                                          "arrived on tuesday",
                                          "it is a phone case",
                                          "ordered the blue one"};
static const char *const kTrainLabels[] = {"positive", "positive", "positive",
                                           "negative", "negative", "negative",
                                           "neutral",  "neutral",  "neutral"};
static const char *const kReviews[] = {"love it, great quality", "broke after a week, terrible",
                                       "arrived in a box", "excellent, very happy"};
#define N_TRAIN (sizeof kTrainTexts / sizeof *kTrainTexts)
#define N_REVIEWS (sizeof kReviews / sizeof *kReviews)

static const char *kSpec =
    "{\"stages\": ["
    "{\"name\": \"sentiment\", \"classify\": \"sentiment\", \"next\": \"store\"},"
    "{\"name\": \"store\", \"sink\": {\"ttl_s\": 86400}}]}";

static int run(cf_engine *engine) {
  cf_model *model = NULL;
  if (cf_model_get(engine, "sentiment", &model) != CF_OK) {
    if (cf_model_create(engine, "sentiment", "bayes", NULL, &model) != CF_OK) return fail("model");
    size_t lens[N_TRAIN];
    for (size_t i = 0; i < N_TRAIN; ++i) lens[i] = strlen(kTrainTexts[i]);
    if (cf_model_train_batch(model, kTrainLabels, kTrainTexts, lens, N_TRAIN) != CF_OK) {
      cf_model_release(model);
      return fail("train");
    }
  }
  cf_model_release(model);
  cf_pipeline *pipeline = NULL;
  if (cf_pipeline_create(engine, "reviews", kSpec, &pipeline) != CF_OK) return fail("pipeline");
  int delivered = 0;
  int status = cf_pipeline_on_result(pipeline, webhook, &delivered) != CF_OK;
  for (size_t i = 0; i < N_REVIEWS && !status; ++i) {
    char *id = NULL, *json = NULL;
    status = cf_pipeline_submit(pipeline, kReviews[i], strlen(kReviews[i]), NULL, NULL, &id) ||
             cf_pipeline_result_json(pipeline, id, &json);
    if (!status) printf("%s\n", json);
    cf_free(json);
    cf_free(id);
  }
  if (!status) status = cf_pipeline_flush(pipeline, -1);
  if (status) {
    cf_pipeline_release(pipeline);
    return fail("submit");
  }
  printf("webhook calls: %d of %zu\n", delivered, (size_t)N_REVIEWS);
  cf_pipeline_release(pipeline);
  return delivered == (int)N_REVIEWS ? 0 : 1;
}

int main(int argc, char **argv) {
  char dir[] = "/tmp/classiflow-example-XXXXXX";
  const char *path = argc > 1 ? argv[1] : mkdtemp(dir);
  if (path == NULL) return 1;
  cf_engine *engine = NULL;
  if (cf_engine_open(path, NULL, &engine) != CF_OK) return fail("open");
  const int status = run(engine);
  cf_engine_close(engine);
  return status;
}
