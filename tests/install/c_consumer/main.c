/* Builds against an installed classiflow through pkg-config alone, as a C user would. */
#include <classiflow/classiflow.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, cf_status s) {
  fprintf(stderr, "c_consumer: %s: %s: %s\n", what, cf_status_name(s), cf_last_error());
  return 1;
}

int main(void) {
  static const char *const labels[] = {"spam", "ham"};
  static const char *const texts[] = {"cheap pills now", "meeting at noon"};
  cf_engine *e = NULL;
  cf_model *m = NULL;
  char *label = NULL;
  double confidence = 0;
  cf_status s;

  if ((s = cf_engine_open("memory:", NULL, &e)) != CF_OK) return fail("open", s);
  if ((s = cf_model_create(e, "spam", "bayes", NULL, &m)) != CF_OK) return fail("create", s);
  if ((s = cf_model_train_batch(m, labels, texts, NULL, 2)) != CF_OK) return fail("train", s);
  if ((s = cf_model_classify(m, "cheap pills", 11, &label, &confidence)) != CF_OK) {
    return fail("classify", s);
  }
  printf("c_consumer %s: %s %.3f\n", cf_version(), label != NULL ? label : "(none)", confidence);
  cf_free(label);
  cf_model_release(m);
  cf_engine_close(e);
  return 0;
}
