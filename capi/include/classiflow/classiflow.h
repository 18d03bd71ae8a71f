/* classiflow.h — the C ABI of classiflow, an embedded text-classification engine.
 *
 * This header is pure C11 and the only stable binary interface of the library: link
 * -lclassiflow (pkg-config classiflow, or the CMake target classiflow::classiflow).
 *
 * Conventions
 *
 *  1. Errors. Every fallible function returns a cf_status: CF_OK (0) on success, otherwise one
 *     of the CF_* codes below (the same numbers as classiflow::Status::Code in C++).
 *     cf_last_error() then describes the failure. A failed call changes nothing.
 *  2. Error messages. cf_last_error() is per thread: it returns the message of the last failing
 *     call made by the calling thread, "" if none failed yet, never NULL. The text stays valid
 *     until the next failing call on the same thread. Successful calls may leave it unchanged,
 *     so read it only right after a call returned something other than CF_OK.
 *  3. Handles. cf_engine and cf_model are opaque. An engine is one open data directory (or an
 *     in-memory store); close it with cf_engine_close(). A model handle keeps its model alive
 *     and is released with cf_model_release(); releasing the handle never deletes the model
 *     (cf_model_drop() does). A model handle may outlive its engine: it can still be released,
 *     and every other call on it then returns CF_UNAVAILABLE.
 *  4. Memory. Strings the library hands out through a `char **` are allocated with malloc and
 *     owned by the caller, who frees them with cf_free(). The library keeps no pointer to any
 *     caller buffer after a call returns.
 *  5. Arguments. Text is a pointer plus a length in bytes (UTF-8 expected; NUL bytes and invalid
 *     UTF-8 bytes separate words like spaces do). text == NULL with len == 0 is the empty text;
 *     text == NULL with len > 0 is CF_INVALID_ARGUMENT. Names, labels, kinds, paths, URIs and
 *     JSON are NUL-terminated UTF-8 strings. A NULL handle, a NULL required string or a NULL
 *     required out pointer is CF_INVALID_ARGUMENT.
 *  6. Out parameters. On failure, a handle or string out parameter (`cf_model **`, `char **`)
 *     is set to NULL, so releasing or freeing it is always safe; other out parameters are left
 *     untouched.
 *  7. Threads. Every function may be called from any thread, and handles may be shared between
 *     threads, except that a handle must not be closed or released while another thread is
 *     still using that same handle. Classification never waits for training, and each call
 *     sees exactly one model version.
 *  8. Exceptions and symbols. No C++ exception ever leaves the library: an unexpected failure
 *     inside it is CF_INTERNAL. The library exports only cf_* symbols.
 *  9. Pipelines. A cf_pipeline is a handle to a pipeline that lives in its engine (and persists
 *     with a data directory); releasing the handle never stops or deletes the pipeline
 *     (cf_pipeline_drop() does). Callbacks registered on a pipeline (results, dead letters,
 *     enrich, validate) run on the library's own threads, concurrently with the caller's, until
 *     the pipeline is dropped or its engine closed: `user` must stay valid that long, and a
 *     callback must not call cf_pipeline_flush(), cf_pipeline_drop() or cf_engine_close() (they
 *     wait for the callbacks). JSON handed to a callback is valid only during the call.
 */
#ifndef CLASSIFLOW_CLASSIFLOW_H_
#define CLASSIFLOW_CLASSIFLOW_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#if defined(CF_BUILDING_LIBRARY)
#define CF_API __declspec(dllexport)
#else
#define CF_API __declspec(dllimport)
#endif
#else
#define CF_API __attribute__((visibility("default")))
#endif

/* ---- Versions ------------------------------------------------------------------------------ */

/* The version of this header. cf_version() returns the version of the library actually loaded;
 * the two differ when an application runs against a newer shared library. */
#define CF_VERSION_MAJOR 0
#define CF_VERSION_MINOR 1
#define CF_VERSION_PATCH 0
#define CF_VERSION_STRING "0.1.0"
/* Incremented whenever a change to this header breaks binary compatibility. */
#define CF_ABI_VERSION 1

/* Returns the library version as "MAJOR.MINOR.PATCH" (a static string; do not free). */
CF_API const char *cf_version(void);

/* ---- Status codes and errors --------------------------------------------------------------- */

typedef int cf_status;

#define CF_OK 0               /* success */
#define CF_INVALID_ARGUMENT 1 /* the caller passed something unusable; nothing changed */
#define CF_NOT_FOUND 2        /* a named model, pipeline, result or file does not exist */
#define CF_ALREADY_EXISTS 3   /* creating something whose name is taken */
#define CF_CORRUPTION 4       /* stored or loaded bytes fail their checks */
#define CF_IO_ERROR 5         /* the file system or database refused an operation */
#define CF_BUSY 6             /* a directory is held elsewhere; a pipeline is full or busy */
#define CF_UNAVAILABLE 7      /* the engine is closed, or a service is down */
#define CF_INTERNAL 8         /* a bug or an unexpected failure inside classiflow */
#define CF_NOT_SUPPORTED 9    /* a verb this model kind or engine mode does not have */

/* Returns the macro name of `s` ("CF_OK", "CF_NOT_FOUND", ...), or "CF_UNKNOWN_STATUS" for a
 * value that is not a status code. Never NULL; a static string (do not free). */
CF_API const char *cf_status_name(cf_status s);

/* Returns the message of this thread's last failing call, "" if none; never NULL. See
 * Conventions 2. Do not free; valid until the next failing call on this thread. */
CF_API const char *cf_last_error(void);

/* Frees memory the library handed out (strings from cf_model_label(), cf_model_classify(), ...).
 * NULL is a no-op. */
CF_API void cf_free(void *p);

/* The largest n a batch call (cf_model_train_batch, cf_model_classify_batch) accepts:
 * 2^32 - 1 where size_t has 64 bits, SIZE_MAX / 16 where it is narrower (so n views of the texts
 * can always be sized without overflow). A larger n is CF_INVALID_ARGUMENT, refused before
 * anything is allocated or any array element is read; so is an n up to this limit whose arrays
 * this process cannot allocate. */
#define CF_MAX_BATCH ((size_t)(SIZE_MAX / 16 < 0xFFFFFFFFu ? SIZE_MAX / 16 : 0xFFFFFFFFu))

/* Caps the number of threads that batch calls (cf_model_train_batch, cf_model_classify_batch)
 * use, process-wide, for calls started afterwards; the models of an engine are further capped by
 * its "threads" option. n <= 0 means all cores (the default). */
CF_API void cf_set_threads(int n);

/* ---- Engines ------------------------------------------------------------------------------- */

typedef struct cf_engine cf_engine;
typedef struct cf_model cf_model;

/* Opens an engine on `uri` and stores a new handle in *out.
 *   uri NULL or "memory:"        an in-memory engine; nothing survives cf_engine_close()
 *   "rocksdb:PATH" or "PATH"     a data directory: created and marked as classiflow's if it is
 *                                missing or empty; a marked one is reopened; any other
 *                                directory (another program's files, "/") is refused with
 *                                CF_INVALID_ARGUMENT and left untouched
 * `options_json` may be NULL, "" or "null" for the defaults, else a JSON object:
 *   "sync": true              fsync every committed training step. Default: false.
 *   "mode": "read"            a reader: opens a directory another engine (any process) writes,
 *                             classifies, and follows the writer's new versions every
 *                             "follow_interval_ms" (default 5); creating, training and dropping
 *                             models is CF_NOT_SUPPORTED. A read-only directory opens this way.
 *                             Default: "write" (one writer per directory).
 *   "recover": true           a directory whose log is damaged opens at its last consistent
 *                             point instead of failing with CF_CORRUPTION;
 *                             cf_engine_recovery_report() says what was dropped.
 *   "threads": 0              the threads the engine's pipelines and its models' batch calls
 *                             run on, its own pool (0..1024; 0 = one per core); pipeline
 *                             callbacks run on threads of their own.
 * Errors: CF_INVALID_ARGUMENT for out == NULL, uri "", malformed JSON, an unknown option key
 * or a directory that is not classiflow's; CF_BUSY when a writer already holds the directory
 * (any spelling of its path, in this or another process); CF_IO_ERROR when it cannot be
 * created or written; CF_CORRUPTION, naming the file, when stored data fails its checks (a
 * directory that lost its CURRENT file, a damaged log). */
CF_API cf_status cf_engine_open(const char *uri, const char *options_json, cf_engine **out);

/* After an open with "recover": true, stores in *json (free with cf_free) a JSON object
 * {"performed": true, "models": [{"model": "m", "before": 10, "after": 3}, ...]} giving per
 * model the newest version the damaged log held and the version recovered (-1 = absent or
 * unreadable). Without "recover": {"performed": false, "models": []}. */
CF_API cf_status cf_engine_recovery_report(cf_engine *e, char **json);

/* Closes the engine, releases its directory lock and frees the handle. Model handles obtained
 * from it stay valid to release; their other calls return CF_UNAVAILABLE. NULL is a no-op.
 * A failure to close the store cannot be returned: it is recorded for cf_last_error(). */
CF_API void cf_engine_close(cf_engine *e);

/* Stores the number of models in the engine in *n. */
CF_API cf_status cf_engine_model_count(cf_engine *e, size_t *n);

/* Stores a copy of the name of model `i` (names sorted bytewise, 0-based) in *name; free it
 * with cf_free(). CF_INVALID_ARGUMENT when i >= cf_engine_model_count(). Another thread
 * creating or dropping models between the two calls shifts the indices. */
CF_API cf_status cf_engine_model_name(cf_engine *e, size_t i, char **name);

/* ---- Models: lifetime ---------------------------------------------------------------------- */

/* Creates an untrained model (version 0) named `name` in the engine and stores a handle in
 * *out. `name`: 1..128 bytes of [A-Za-z0-9_.-], not starting with '.'. `kind`: NULL (= "bayes"),
 * "bayes", "linear" (train it with cf_model_fit()) or "lsi" (items: cf_model_add_items()).
 * `options_json` may be NULL, "" or "null" for the defaults, else a flat JSON object:
 *   "labels": ["ham", "spam"]   fixed label set; training another label is an error.
 *                               Default: [] (labels are added on first training use).
 *   "min_confidence": 0.0       cf_model_classify() returns no label below this top
 *                               probability. REQUIRES: 0..1. Default: 0.
 *   "alpha": 1.0, "fit_prior": true                       (kind bayes: smoothing, priors)
 *   "learning_rate": 4.0, "l2": 1e-6, "optimizer": "adagrad" or "sgd", "epochs": 5,
 *   "seed": 42, "idf": true, "quantize": false, "prune": 0.05   (kind linear; linear.h)
 *   "rank": 100, "max_terms": 65536, "neighbors": 10, "min_similarity": 0.01,
 *   "rebuild_after": 0.25, "power_iterations": 2, "seed": 42     (kind lsi; classiflow/lsi.h)
 *   "lowercase": true, "stop_words": false, "stemmer": "" (none) or "english", ...,
 *   "normalize_urls": true, "normalize_emails": true, "normalize_numbers": true,
 *   "ngrams": 2 (1..3), "hash_bits": 20 (10..28), "max_text_bytes": 1048576     (analyzer)
 * A "kind" key may repeat `kind` but not contradict it; a key of another kind is refused.
 * Errors: CF_INVALID_ARGUMENT for a bad name, unknown kind, malformed JSON, an unknown key or a
 * value of the wrong type or out of range; CF_ALREADY_EXISTS when the name is taken. */
CF_API cf_status cf_model_create(cf_engine *e, const char *name, const char *kind,
                                 const char *options_json, cf_model **out);

/* Stores a new handle to the existing model `name` in *out. CF_NOT_FOUND when there is none. */
CF_API cf_status cf_model_get(cf_engine *e, const char *name, cf_model **out);

/* Deletes the model `name` and its stored state. Existing handles to it stay valid to release;
 * their other calls return CF_NOT_FOUND. CF_NOT_FOUND when there is no such model. */
CF_API cf_status cf_model_drop(cf_engine *e, const char *name);

/* Releases the handle (not the model). NULL is a no-op. */
CF_API void cf_model_release(cf_model *m);

/* Stores a copy of the model's name in *name; free it with cf_free(). */
CF_API cf_status cf_model_name(cf_model *m, char **name);

/* Writes the model's current version to the file `path`, atomically (a temporary file renamed
 * over `path`). The path is used as given (relative to the working directory).
 * Errors: CF_INVALID_ARGUMENT for path NULL or ""; CF_IO_ERROR when the file cannot be written
 * (missing directory included). */
CF_API cf_status cf_model_save(cf_model *m, const char *path);

/* Reads a file written by cf_model_save() into a new standalone model — not attached to any
 * engine, so its training steps are not persisted — and stores a handle in *out. The model keeps
 * the name and version stored in the file. Errors: CF_INVALID_ARGUMENT for path NULL or "";
 * CF_NOT_FOUND / CF_IO_ERROR when the file cannot be read; CF_CORRUPTION for a truncated or
 * damaged file or one of another format. */
CF_API cf_status cf_model_load(const char *path, cf_model **out);

/* ---- Models: training ---------------------------------------------------------------------- */

/* Adds one document with label `label` and commits it as a new version (persisted first when the
 * model belongs to a durable engine). Errors, each changing nothing: CF_INVALID_ARGUMENT for
 * empty text, text longer than the model's max_text_bytes, an invalid label (empty, over 256
 * bytes, control characters, invalid UTF-8) or a label outside a fixed label set;
 * CF_IO_ERROR when the step cannot be persisted. */
CF_API cf_status cf_model_train(cf_model *m, const char *label, const char *text, size_t len);

/* Adds labels[i] / texts[i] (lens[i] bytes) for all i < n as ONE new version: all or nothing.
 * `lens` may be NULL, in which case every text is NUL-terminated. Runs on all cores (see
 * cf_set_threads()). n == 0 is a no-op returning CF_OK (no new version); the arrays may then
 * be NULL. Errors as cf_model_train() for any element, plus CF_INVALID_ARGUMENT for a NULL
 * array, a NULL labels[i] or n > CF_MAX_BATCH. A dropped model or a closed engine is
 * CF_NOT_FOUND / CF_UNAVAILABLE, even for n == 0. */
CF_API cf_status cf_model_train_batch(cf_model *m, const char *const *labels,
                                      const char *const *texts, const size_t *lens, size_t n);

/* Which n-grams of a text moved its prediction: *json (free with cf_free()) is
 *   {"label", "versus" (null for a model of one label), "log_odds", "base", "version",
 *    "features": [{"ngram", "feature", "count", "weight"}, ...]}
 * with up to `n` features (0 = all) by |weight|, largest first; each weight is the n-gram's share
 * of the log-odds of label against versus, and base plus every weight is log_odds. Errors as
 * cf_model_classify(). */
CF_API cf_status cf_model_explain(cf_model *m, const char *text, size_t len, size_t n, char **json);

/* Progress of cf_model_fit(): documents done over all epochs, their total, the epoch under way
 * (from 1) and its mean log loss so far (0 for kinds that count). Called from one library
 * thread between slices of a few thousand documents; it must not call back into this model. */
typedef void (*cf_fit_progress_fn)(uint64_t done, uint64_t total, int epoch, double loss,
                                   void *user);

/* Batch training: learns labels[i] / texts[i] (as cf_model_train_batch) as well as the kind can,
 * as ONE new version, all or nothing. The linear kind makes `epochs` shuffled passes (0 = the
 * model's "epochs" option) on `threads` threads (0 = all the model may use; 1 repeats bit for bit
 * for the model's "seed"); for "bayes" it is cf_model_train_batch(). `progress` may be NULL;
 * `user` is passed to it untouched. Errors as cf_model_train_batch(), plus CF_INVALID_ARGUMENT
 * for epochs outside 0..1000 or threads < 0. */
CF_API cf_status cf_model_fit(cf_model *m, const char *const *labels, const char *const *texts,
                              const size_t *lens, size_t n, int epochs, int threads,
                              cf_fit_progress_fn progress, void *user);

/* ---- Models: multilabel (the linear kind's "multilabel": true) ---------------------------- */

/* A multilabel model answers each label on its own (one-vs-all): a text has every label whose
 * probability reaches that label's threshold (0.5 until set), any number of them, none
 * included. cf_model_classify_top() with k = the label count and min_confidence < 0 returns
 * them, most probable first; cf_model_scores() writes each label's own log probability (they do
 * not sum to 1); cf_model_classify() the most probable of them (NULL when there is none).
 * cf_model_train() and cf_model_fit() take one label per text (a set of one).
 *
 * Label sets in C: text i's labels are the next counts[i] entries of `labels` (counts[i] may be
 * 0), so `labels` holds the sum of counts[0..n) strings. Texts as cf_model_train_batch(). The
 * functions below are CF_NOT_SUPPORTED for a model that is not multilabel. */

/* *multilabel = 1 for a multilabel model, 0 otherwise. */
CF_API cf_status cf_model_multilabel(cf_model *m, int *multilabel);

/* As cf_model_train_batch() with a set of labels per text: ONE new version, all or nothing. A
 * label given twice in a set counts once. Errors as cf_model_train_batch() for each label, plus
 * CF_INVALID_ARGUMENT for a NULL counts or more than CF_MAX_BATCH labels in all. */
CF_API cf_status cf_model_train_label_sets(cf_model *m, const char *const *labels,
                                           const size_t *counts, const char *const *texts,
                                           const size_t *lens, size_t n);

/* As cf_model_fit() with a set of labels per text. */
CF_API cf_status cf_model_fit_label_sets(cf_model *m, const char *const *labels,
                                         const size_t *counts, const char *const *texts,
                                         const size_t *lens, size_t n, int epochs, int threads,
                                         cf_fit_progress_fn progress, void *user);

/* Sets the threshold of labels[i] to thresholds[i] for all i < n, as ONE new version.
 * Errors, each changing nothing: CF_NOT_FOUND for a label the model does not have,
 * CF_INVALID_ARGUMENT for a threshold outside [0, 1] (or NaN) or NULL arrays. */
CF_API cf_status cf_model_set_thresholds(cf_model *m, const char *const *labels,
                                         const double *thresholds, size_t n);

/* Sets each label's threshold to the one that maximises its F1 on these texts, as ONE new
 * version: give held-out texts, not the training texts (on which every probability is too
 * high). Labels none of the texts has keep theirs. Errors: CF_INVALID_ARGUMENT for n == 0 or
 * bad arguments. */
CF_API cf_status cf_model_tune_thresholds(cf_model *m, const char *const *labels,
                                          const size_t *counts, const char *const *texts,
                                          const size_t *lens, size_t n);

/* Writes every label's threshold (label order) to thresholds[0..n). REQUIRES: n == the label
 * count, else CF_INVALID_ARGUMENT. */
CF_API cf_status cf_model_thresholds(cf_model *m, double *thresholds, size_t n);

/* ---- Models: items (kind "lsi"; CF_NOT_SUPPORTED for the other kinds) --------------------- */

/* Adds n items as ONE new version, all or nothing, folded into the current index so they are
 * searchable at once. texts / lens as cf_model_train_batch(); `labels` may be NULL (no item has
 * a label) or hold NULL for an item without one (searchable, but no vote when classifying);
 * `ids` may be NULL (all assigned) or hold NULL for an assigned id. Ids follow the label rules
 * (1..256 bytes of UTF-8, no control characters). When `ids_json` is not NULL it receives a
 * JSON array of the n ids (free with cf_free()). CF_ALREADY_EXISTS for an id the model has or
 * one given twice; otherwise errors as cf_model_train_batch(). */
CF_API cf_status cf_model_add_items(cf_model *m, const char *const *texts, const size_t *lens,
                                    const char *const *labels, const char *const *ids, size_t n,
                                    char **ids_json);

/* Removes the n items `ids` as one new version; CF_NOT_FOUND, changing nothing, when any id is
 * not in the model. */
CF_API cf_status cf_model_remove_items(cf_model *m, const char *const *ids, size_t n);

/* Builds a new index over every item now (TF-IDF and a truncated SVD) and publishes it as a
 * new version; readers keep the last index until then. A no-op when nothing changed since the
 * last build. (Builds also start by themselves, in the background, after the "rebuild_after"
 * share of changes.) */
CF_API cf_status cf_model_build_index(cf_model *m);

/* The `n` items most similar to a query text (len as cf_model_classify()), best first: *json
 * (free with cf_free()) is [{"id", "score" (cosine, -1..1), "label" (null for none)}, ...].
 * CF_INVALID_ARGUMENT for n == 0 or a bad text. */
CF_API cf_status cf_model_search(cf_model *m, const char *query, size_t len, size_t n, char **json);

/* The same for the item `id` (NUL-terminated; left out of its own results). CF_NOT_FOUND for
 * an id the model does not have. */
CF_API cf_status cf_model_find_related(cf_model *m, const char *id, size_t n, char **json);

/* The index's state: *json (free with cf_free()) is {"items", "indexed_items", "changes",
 * "rank", "terms", "rebuilding"}: items in the model, items the current index was built on,
 * items added or removed since (folded in), its dimensions and terms (0 before the first
 * build), and whether a background rebuild is under way. */
CF_API cf_status cf_model_index_status(cf_model *m, char **json);

/* Removes a document added before with the same label and text, as a new version.
 * CF_INVALID_ARGUMENT, changing nothing, when that would take any count below zero (that
 * document was never trained with this label); otherwise errors as cf_model_train(). */
CF_API cf_status cf_model_untrain(cf_model *m, const char *label, const char *text, size_t len);

/* ---- Models: classification ---------------------------------------------------------------- */

/* Classifies one text. On success *label (if label != NULL) is a copy of the most probable
 * label, to free with cf_free(), or NULL when its probability is below the model's
 * min_confidence; *confidence (if confidence != NULL) is that probability, written even when
 * below the threshold. Empty text is allowed and yields the label priors.
 * Errors: CF_INVALID_ARGUMENT for text longer than max_text_bytes or a model with no labels. */
CF_API cf_status cf_model_classify(cf_model *m, const char *text, size_t len, char **label,
                                   double *confidence);

/* The k most probable labels of one text whose probability reaches the threshold, most
 * probable first (ties: label order). Writes their label indices (see cf_model_label()) to
 * indices[0..*count) and, if probabilities != NULL, their probabilities to
 * probabilities[0..*count); *count <= k (fewer when the model has fewer labels or fewer reach
 * the threshold; 0 is possible). min_confidence: the threshold in [0, 1], or a negative value
 * for the model's own min_confidence. The arrays hold at least k elements.
 * Errors: CF_INVALID_ARGUMENT for k == 0, indices or count NULL, min_confidence above 1 or
 * NaN; otherwise as cf_model_classify(). */
CF_API cf_status cf_model_classify_top(cf_model *m, const char *text, size_t len, size_t k,
                                       double min_confidence, size_t *indices,
                                       double *probabilities, size_t *count);

/* ---- Models: evaluation ------------------------------------------------------------------- */

/* Compares the model's most probable label of each texts[i] (whatever its min_confidence) with
 * labels[i] and writes a JSON object to *json (free with cf_free()): {"count", "accuracy",
 * "macro_f1", "micro_f1", "multilabel" (false), "labels", "per_label": {label: {"precision",
 * "recall", "f1", "support"}}, "confusion": [[...]]} with confusion[t][p] counting texts of true
 * label labels[t] given labels[p]; true labels the model does not know come last. Texts as
 * cf_model_train_batch(). Errors: CF_INVALID_ARGUMENT for n == 0, NULL arrays or json, a bad text
 * (named), or a model with no labels; *json is then NULL. */
CF_API cf_status cf_model_evaluate(cf_model *m, const char *const *labels, const char *const *texts,
                                   const size_t *lens, size_t n, char **json);

/* Stratified k-fold cross-validation of models with m's options (m itself is neither used nor
 * changed): each label's texts are shuffled with `seed` and dealt to the folds in turn; a fresh
 * in-memory model is trained on the other folds and evaluated on each. *json (free with
 * cf_free()) is a JSON array of k objects as cf_model_evaluate() writes. Deterministic for a
 * seed. Errors: CF_INVALID_ARGUMENT for k < 2 or k > n, and as cf_model_evaluate(). */
CF_API cf_status cf_model_cross_validate(cf_model *m, const char *const *labels,
                                         const char *const *texts, const size_t *lens, size_t n,
                                         size_t k, uint64_t seed, char **json);

/* Multilabel models: each text's labels (those reaching their thresholds) against its set, as
 * JSON in *json (free with cf_free()): the object of cf_model_evaluate() with "multilabel":
 * true, "accuracy" the share of texts given exactly their labels, per-label counts of each
 * label's own decisions, "micro_f1" over all of them and an empty "confusion". Errors as
 * cf_model_evaluate(), plus CF_NOT_SUPPORTED for a model that is not multilabel. */
CF_API cf_status cf_model_evaluate_label_sets(cf_model *m, const char *const *labels,
                                              const size_t *counts, const char *const *texts,
                                              const size_t *lens, size_t n, char **json);

/* As cf_model_cross_validate() with label sets (strata: each text's first label in sorted
 * order). */
CF_API cf_status cf_model_cross_validate_label_sets(cf_model *m, const char *const *labels,
                                                    const size_t *counts, const char *const *texts,
                                                    const size_t *lens, size_t n, size_t k,
                                                    uint64_t seed, char **json);

/* Writes the log posterior probability of every label (label order, see cf_model_label()) to
 * scores[0..n); exp() of them sums to 1. REQUIRES: n == the label count of the version that
 * answers, else CF_INVALID_ARGUMENT (labels are only ever appended, so a count read before
 * concurrent training of a new label can go stale). Other errors as cf_model_classify(). */
CF_API cf_status cf_model_scores(cf_model *m, const char *text, size_t len, double *scores,
                                 size_t n);

/* Classifies texts[i] (lens[i] bytes, or NUL-terminated when lens is NULL) for all i < n in
 * parallel, all against ONE model version. label_indices[i] (if label_indices != NULL) gets the
 * index of the winning label (see cf_model_label()), or (size_t)-1 when its probability is below
 * min_confidence; confidences[i] (if confidences != NULL) gets that probability. Both arrays are
 * caller-owned with n elements. Passing confidences == NULL is faster when the model has no
 * min_confidence: labels alone need no normalised probabilities. n == 0 is a no-op returning
 * CF_OK. Errors as cf_model_classify() for any text, plus CF_INVALID_ARGUMENT for texts == NULL
 * with n > 0 or n > CF_MAX_BATCH; nothing is written on error. A dropped model or a closed
 * engine is CF_NOT_FOUND / CF_UNAVAILABLE, even for n == 0. */
CF_API cf_status cf_model_classify_batch(cf_model *m, const char *const *texts, const size_t *lens,
                                         size_t n, size_t *label_indices, double *confidences);

/* ---- Models: inspection -------------------------------------------------------------------- */

/* Like every call on a model handle, these answer CF_NOT_FOUND after cf_model_drop() and
 * CF_UNAVAILABLE after cf_engine_close() instead of reporting the last state they knew. */

/* Stores the number of labels of the current version in *n (0 for an untrained model without a
 * fixed label set). */
CF_API cf_status cf_model_label_count(cf_model *m, size_t *n);

/* Stores a copy of label `i` (0-based, in label order) of the current version in *label; free it
 * with cf_free(). CF_INVALID_ARGUMENT when i >= the label count. */
CF_API cf_status cf_model_label(cf_model *m, size_t i, char **label);

/* Stores the current version in *version: 0 for a new model, +1 per committed training step
 * (cf_model_train, cf_model_train_batch, cf_model_untrain). Failed steps do not count. */
CF_API cf_status cf_model_version(cf_model *m, uint64_t *version);

/* ---- Pipelines: lifetime ------------------------------------------------------------------- */

/* A handle to a pipeline (Conventions 9). Every call on a handle whose pipeline was dropped or
 * whose engine was closed that reads or writes items returns CF_UNAVAILABLE; release it with
 * cf_pipeline_release(). */
typedef struct cf_pipeline cf_pipeline;

/* Creates the pipeline `name` from `spec_json`, stores the spec (it reopens with the engine),
 * starts it and stores a new handle in *out. `name`: 1..128 bytes of [A-Za-z0-9_.-]. The spec is
 * a JSON object:
 *   {"stages": [{"name": "s", "classify": "model", "routes": {"label": "next", "*": "other"},
 *                "min_confidence": 0.6, "fallback": "review"},
 *               {"name": "ids", "extract": ["gtin", {"sku": "SKU-(\\d+)"}], "next": "check"},
 *               {"name": "check", "validate": ["gtin", {"field": "sku", "callback": "v"}],
 *                "on_valid": "out", "on_invalid": "review", "on_absent": "out"},
 *               {"name": "crm", "enrich": "callback name", "next": "out"},
 *               {"name": "out", "sink": {"ttl_s": 86400}}],
 *    "entry": "s", "durability": "buffered", "batch": {"max_items": 1024, "max_delay_ms": 5},
 *    "max_in_flight": 65536, "max_attempts": 3, "retry": {"initial_ms": 100, "max_ms": 30000}}
 * The first stage is the entry unless "entry" names one. Creating a pipeline again with the same
 * spec (compared in canonical form: key order and spacing do not matter) hands out another
 * handle to the running one. Errors: CF_INVALID_ARGUMENT for a bad name, malformed JSON or a bad
 * spec, naming the stage and the field ("stage 'ids': extract: ..."): an unknown model or
 * stage, a cycle, an unreachable stage, a bad regex; CF_ALREADY_EXISTS when `name` holds a
 * pipeline with another spec; CF_NOT_SUPPORTED in an engine opened with "mode": "read";
 * CF_IO_ERROR when the spec cannot be stored. */
CF_API cf_status cf_pipeline_create(cf_engine *e, const char *name, const char *spec_json,
                                    cf_pipeline **out);

/* Stores a new handle to the running pipeline `name` in *out (pipelines of a data directory run
 * as soon as it is opened). CF_NOT_FOUND when there is none. */
CF_API cf_status cf_pipeline_get(cf_engine *e, const char *name, cf_pipeline **out);

/* Stops the pipeline `name` (its callbacks have returned when this returns) and deletes
 * everything it stored: spec, waiting items, results and dead letters. Handles to it stay valid
 * to release; their other calls return CF_UNAVAILABLE. CF_NOT_FOUND when there is none. */
CF_API cf_status cf_pipeline_drop(cf_engine *e, const char *name);

/* Stores the names of all pipelines, sorted, as a JSON array (["a","b"]; [] when none) in *json;
 * free it with cf_free(). */
CF_API cf_status cf_pipeline_names_json(cf_engine *e, char **json);

/* Releases the handle (not the pipeline, nor its callbacks). NULL is a no-op. */
CF_API void cf_pipeline_release(cf_pipeline *p);

/* ---- Pipelines: submitting ----------------------------------------------------------------- */

/* Accepts one item and returns once it is durable (per the spec's "durability"): from then on it
 * reaches exactly one result or dead letter, across crashes and reopens. `text`: `len` bytes of
 * valid UTF-8, 1 byte..1 MiB (unlike classification, invalid UTF-8 is refused). `id`: NULL or ""
 * to have the pipeline generate a unique one, else at most 256 bytes of UTF-8 without control
 * characters. `meta_json`: NULL, or a JSON object (at most 64 KiB) kept with the item and its
 * result. If `out_id` is not NULL, *out_id gets a copy of the item's id (free with cf_free();
 * NULL on failure). Submitting an id that is in flight, has a result or a dead letter accepts
 * nothing new (no second result) and still returns CF_OK with that id. Blocks while the
 * pipeline holds "max_in_flight" items. Errors, each accepting nothing: CF_INVALID_ARGUMENT for
 * empty, oversized or invalid UTF-8 text, a bad id or bad meta JSON; CF_IO_ERROR when the store
 * refuses the write; CF_UNAVAILABLE after drop or close. */
CF_API cf_status cf_pipeline_submit(cf_pipeline *p, const char *text, size_t len, const char *id,
                                    const char *meta_json, char **out_id);

/* cf_pipeline_submit() that never blocks: CF_BUSY ("pipeline is full") when "max_in_flight"
 * items are in flight, accepting nothing. */
CF_API cf_status cf_pipeline_try_submit(cf_pipeline *p, const char *text, size_t len,
                                        const char *id, const char *meta_json, char **out_id);

/* Accepts texts[i] (lens[i] bytes, or NUL-terminated when lens is NULL) for all i < n, with
 * ids[i] and metas[i] as cf_pipeline_submit()'s `id` and `meta_json`; `ids` and `metas` may be
 * NULL (all generated / no meta), as may any of their entries. Returns once all are durable;
 * blocks while the pipeline is full. Every item is checked before any is accepted: a bad one is
 * CF_INVALID_ARGUMENT naming it ("items[3]: text is empty") and accepts nothing. If `out_ids` is
 * not NULL, *out_ids gets ONE block holding n pointers to the ids, in order, followed by the
 * strings; free it with a single cf_free(*out_ids). n == 0 accepts nothing and sets *out_ids to
 * NULL. Errors as cf_pipeline_submit(), plus CF_INVALID_ARGUMENT for texts == NULL with n > 0,
 * a NULL texts[i] when lens is NULL, or n > CF_MAX_BATCH. A CF_IO_ERROR may leave a prefix of
 * the items accepted (and *out_ids NULL): resubmitting items with caller-chosen ids is safe, as
 * a duplicate id gets no second result. */
CF_API cf_status cf_pipeline_submit_many(cf_pipeline *p, const char *const *texts,
                                         const size_t *lens, const char *const *ids,
                                         const char *const *metas, size_t n, char ***out_ids);

/* Waits until every item accepted before the call has its result or dead letter and the result
 * callbacks for them have returned (a batch of cf_pipeline_on_results() may still wait for its
 * max_delay_ms). timeout_ms < 0 waits forever. CF_BUSY when timeout_ms passes first, saying how
 * many items still wait and why (e.g. for an enrich callback not registered yet: such items wait
 * durably, across reopens, until it is). CF_UNAVAILABLE when the pipeline is dropped or its
 * engine closed while items were in flight. It also waits for the SQLite sink files ("sink":
 * {"sqlite": FILE}) to hold the rows: CF_IO_ERROR when a sink's last write failed (the results
 * are stored; the sink writes them once it can). Not from a pipeline callback (Conventions 9). */
CF_API cf_status cf_pipeline_flush(cf_pipeline *p, int64_t timeout_ms);

/* ---- Pipelines: results and dead letters --------------------------------------------------- */

/* Stores the result of item `id` in *json (free with cf_free()), a JSON object:
 *   {"id", "route": [stage names, entry first, the sink last],
 *    "predictions": {stage: {"label" (null below min_confidence), "confidence", "model",
 *                            "version"}},
 *    "fields": {name: value}, "valid": {field: true|false}, "meta": object or null,
 *    "attempts", "submitted_at", "done_at", "expires_at" (Unix seconds; expires_at null = kept)}
 * CF_NOT_FOUND when the id has no result: unknown, still in flight, dead-lettered or expired. */
CF_API cf_status cf_pipeline_result_json(cf_pipeline *p, const char *id, char **json);

/* Stores the newest results, newest first, at most `newest` of them, as a JSON array of result
 * objects (see cf_pipeline_result_json()) in *json; free it with cf_free(). newest == 0 gives
 * []. */
CF_API cf_status cf_pipeline_results_json(cf_pipeline *p, size_t newest, char **json);

/* Stores the dead letters, in id order, at most `limit` (0 = all), as a JSON array in *json
 * (free with cf_free()). A dead letter: {"id", "text", "meta", "stage" (the stage that failed),
 * "error" (its last error), "attempts", "submitted_at", "failed_at"}. */
CF_API cf_status cf_pipeline_dead_letters_json(cf_pipeline *p, size_t limit, char **json);

/* Moves the dead letter of item `id` back into the pipeline, at the stage that failed, with its
 * attempts reset. CF_NOT_FOUND when the id has no dead letter; CF_INVALID_ARGUMENT when that id
 * is in flight. */
CF_API cf_status cf_pipeline_requeue(cf_pipeline *p, const char *id);

/* Stores the pipeline's counters as a JSON object in *json (free with cf_free()):
 * {"pipeline", "submitted", "duplicates", "completed", "dead_letters", "retries",
 *  "callback_errors", "in_flight", "queue_depth", "commits", "latency_ms": {"p50", "p95",
 *  "p99"}, "stages": [{"name", "kind", "processed", "errors", "latency_ms"}]}. Counters start at
 * 0 when the engine opens. After drop or close it reports the last counts. */
CF_API cf_status cf_pipeline_stats_json(cf_pipeline *p, char **json);

/* The same numbers and the analytics in the Prometheus text exposition format, metric names
 * prefixed "classiflow_pipeline_" and labelled pipeline="name" (and stage="name"); free with
 * cf_free(). A classiflow_pipeline_feedback_alert line appears while accuracy over the last
 * feedbacks is below the spec's analytics.feedback.alert_below. */
CF_API cf_status cf_pipeline_metrics_text(cf_pipeline *p, char **text);

/* ---- Pipelines: analytics and feedback (docs/analytics.md) --------------------------------- */

/* The pipeline's live aggregates as a JSON object in *json (free with cf_free()): {"pipeline",
 * "items", "stages": {name: {"kind", "items", "retries", "dead_letters", and for classify
 * stages "model", "labels": {label: {"count", "mean_confidence"}}, "histogram": {"edges",
 * "counts"}, "per_minute"/"per_hour": [{"t", "counts"}]}}, "routes": [{"from", "to", "count"}],
 * "fields": {name: {"extracted", "valid", "invalid"}}, "urgent": [...], "needs_review": [...],
 * "feedback": {"total", "correct", "accuracy", "recent", "versions": {stage: {version: {"n",
 * "accuracy", "macro_f1", "labels", "confusion"}}}}}. They are written in the same batch as
 * the results they count, so after a crash they equal a recount. Reading never waits for the
 * pipeline and costs the same whatever the number of items. CF_NOT_SUPPORTED when the spec says
 * "analytics": false. */
CF_API cf_status cf_pipeline_analytics_json(cf_pipeline *p, char **json);

/* Clears the aggregates; they count from the next commit on. Feedback stays recorded. */
CF_API cf_status cf_pipeline_reset_analytics(cf_pipeline *p);

/* Rebuilds the aggregates from the stored log and results since the last reset (it reads
 * them all) and installs them; the pipeline runs on meanwhile. */
CF_API cf_status cf_pipeline_recount(cf_pipeline *p);

/* Records `label` as the true label of the result of item `id`, durably. `stage` names the
 * classify stage whose answer it corrects (NULL = the item's least confident answer); `text`
 * (len bytes, NULL = none) is the item's text for training when its sink does not keep it.
 * A second feedback for an id replaces the first. With the spec's analytics.feedback.train
 * "online", the model that answered trains on it at once. CF_NOT_FOUND when the id has no
 * result; CF_INVALID_ARGUMENT for an empty or invalid label, a stage that did not classify the
 * item, or online training without a text. */
CF_API cf_status cf_pipeline_feedback(cf_pipeline *p, const char *id, const char *label,
                                      const char *stage, const char *text, size_t len);

/* Trains every model on the feedback it has not trained on yet (one batch per model);
 * *trained (may be NULL) gets how many feedbacks that was. */
CF_API cf_status cf_pipeline_retrain(cf_pipeline *p, size_t *trained);

/* Writes the results stored now into the SQLite file `path` (created when missing; a relative
 * path is in the data directory): the `results` table a {"sink": {"sqlite": FILE}} keeps,
 * upserted by id in batched transactions. *written (may be NULL) gets the rows. Works on the
 * pipelines of a mode "read" engine too. CF_INVALID_ARGUMENT for a file that is not SQLite,
 * whose results table is not classiflow's, or that is another pipeline's sink; CF_IO_ERROR
 * when it cannot be written. */
CF_API cf_status cf_pipeline_export_sqlite(cf_pipeline *p, const char *path, size_t *written);

/* ---- Pipelines: callbacks ------------------------------------------------------------------ */

/* Result and dead-letter callbacks get the JSON of cf_pipeline_result_json() /
 * cf_pipeline_dead_letters_json(), valid during the call. They run on one delivery thread per
 * pipeline, in commit order, once per result while the process lives; results committed but not
 * yet delivered when the process stopped are delivered again after reopen (at least once). */
typedef void (*cf_result_fn)(void *user, const char *result_json);
typedef void (*cf_results_fn)(void *user, const char *const *results_json, size_t n);
typedef void (*cf_dead_letter_fn)(void *user, const char *dead_letter_json);

/* Adds `fn` (with `user`) to the functions called with every result committed from now on.
 * Results a previous run committed but had not delivered (a crash came between) are delivered to
 * the first result callback registered after reopen. Callbacks cannot be removed: they live as
 * long as the pipeline runs (Conventions 9). CF_INVALID_ARGUMENT for fn == NULL. */
CF_API cf_status cf_pipeline_on_result(cf_pipeline *p, cf_result_fn fn, void *user);

/* Sets the batched result callback (replacing an earlier one): `fn` gets up to max_items results
 * at a time, at most max_delay_ms after the first of them committed. REQUIRES: max_items >= 1,
 * max_delay_ms >= 0, else CF_INVALID_ARGUMENT; so is fn == NULL. */
CF_API cf_status cf_pipeline_on_results(cf_pipeline *p, cf_results_fn fn, void *user,
                                        size_t max_items, int64_t max_delay_ms);

/* Adds `fn` to the functions called with every new dead letter. CF_INVALID_ARGUMENT for
 * fn == NULL. */
CF_API cf_status cf_pipeline_on_dead_letter(cf_pipeline *p, cf_dead_letter_fn fn, void *user);

/* Where an enrich callback puts the fields it returns; valid only during that call. */
typedef struct cf_fields cf_fields;

/* Sets field `name` (non-empty UTF-8) to the JSON value `value_json` ("\"ACME\"", "12.5",
 * "{\"tier\": 2}", "null"); setting a name twice keeps the last value, and a field the item
 * already has is replaced. CF_INVALID_ARGUMENT, setting nothing, for NULL arguments, an empty
 * or invalid UTF-8 name, or a value that is not one valid JSON value (NaN and Infinity are not
 * JSON; nesting is capped at 64 levels). */
CF_API cf_status cf_fields_set(cf_fields *out, const char *name, const char *value_json);

/* Enrich and validate callbacks get the item as JSON, valid during the call:
 *   {"id", "text", "meta": object or null,
 *    "predictions": {stage: {"label", "confidence", "model", "version"}},
 *    "fields": {name: value}, "attempt": 1 for the first attempt at this stage}
 * They run on the pipeline's callback threads, several items at once, after the attempt was made
 * durable. Returning anything but CF_OK fails the attempt (the error reads "returned
 * CF_UNAVAILABLE"); the item is retried with backoff up to "max_attempts", then dead-lettered.
 * An item whose callback kills the process is dead-lettered after max_attempts restarts. */
typedef cf_status (*cf_enrich_fn)(void *user, const char *item_json, cf_fields *out);
/* Sets *valid to non-zero when `value_json` (the validated field's value) passes. */
typedef cf_status (*cf_validate_fn)(void *user, const char *item_json, const char *value_json,
                                    uint8_t *valid);

/* Registers the callback that enrich stages with "enrich": `name` call, replacing an earlier
 * one. Items waiting for it (submitted before, or found waiting when the engine reopened) start
 * at once. CF_INVALID_ARGUMENT when no enrich stage names `name`, or for fn == NULL. */
CF_API cf_status cf_pipeline_register_enrich(cf_pipeline *p, const char *name, cf_enrich_fn fn,
                                             void *user);

/* Registers the callback that validate checks {"field": ..., "callback": `name`} call, as
 * cf_pipeline_register_enrich() does for enrich stages. */
CF_API cf_status cf_pipeline_register_validator(cf_pipeline *p, const char *name, cf_validate_fn fn,
                                                void *user);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CLASSIFLOW_CLASSIFLOW_H_ */
