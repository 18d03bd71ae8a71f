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
#define CF_NOT_FOUND 2        /* a named model, label or file does not exist */
#define CF_ALREADY_EXISTS 3   /* creating something whose name is taken */
#define CF_CORRUPTION 4       /* stored or loaded bytes fail their checks */
#define CF_IO_ERROR 5         /* the file system or database refused an operation */
#define CF_BUSY 6             /* a data directory is held by another engine or process */
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
 * use, process-wide, for calls started afterwards. n <= 0 means all cores (the default). */
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
 * *out. `name`: 1..128 bytes of [A-Za-z0-9_.-], not starting with '.'. `kind`: NULL or "bayes"
 * (the only kind so far). `options_json` may be NULL, "" or "null" for the defaults, else a
 * flat JSON object:
 *   "labels": ["ham", "spam"]   fixed label set; training another label is an error.
 *                               Default: [] (labels are added on first training use).
 *   "min_confidence": 0.0       cf_model_classify() returns no label below this top
 *                               probability. REQUIRES: 0..1. Default: 0.
 *   "alpha": 1.0, "fit_prior": true                                  (bayes smoothing, priors)
 *   "lowercase": true, "stop_words": false, "stemmer": "" (none) or "english", ...,
 *   "normalize_urls": true, "normalize_emails": true, "normalize_numbers": true,
 *   "ngrams": 2 (1..3), "hash_bits": 20 (10..28), "max_text_bytes": 1048576     (analyzer)
 * A "kind" key may repeat `kind` but not contradict it.
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CLASSIFLOW_CLASSIFLOW_H_ */
