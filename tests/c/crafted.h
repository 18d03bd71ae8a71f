/* Crafted model files with valid checksums, from the documented format (as
 * tests/python/crafted.py), so the C test reaches the loader's checks of names, labels and
 * versions instead of stopping at a checksum. A test helper: not part of the library. */
#ifndef CLASSIFLOW_TESTS_C_CRAFTED_H
#define CLASSIFLOW_TESTS_C_CRAFTED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XP1 0x9E3779B185EBCA87ull
#define XP2 0xC2B2AE3D27D4EB4Full
#define XP3 0x165667B19E3779F9ull
#define XP4 0x85EBCA77C2B2AE63ull
#define XP5 0x27D4EB2F165667C5ull

static uint64_t xrotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint64_t xread64(const unsigned char *p) {
  uint64_t v = 0;
  int i;
  for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}
static uint64_t xround(uint64_t acc, uint64_t lane) { return xrotl(acc + lane * XP2, 31) * XP1; }

/* XXH64 with seed 0, as core's records and files use it. */
static uint64_t xxh64(const void *data, size_t n) {
  const unsigned char *p = data, *end = p + n;
  uint64_t h;
  if (n >= 32) {
    uint64_t v[4] = {XP1 + XP2, XP2, 0, 0 - XP1};
    int k;
    for (; p + 32 <= end; p += 32)
      for (k = 0; k < 4; k++) v[k] = xround(v[k], xread64(p + 8 * k));
    h = xrotl(v[0], 1) + xrotl(v[1], 7) + xrotl(v[2], 12) + xrotl(v[3], 18);
    for (k = 0; k < 4; k++) h = (h ^ xround(0, v[k])) * XP1 + XP4;
  } else {
    h = XP5;
  }
  h += n;
  for (; p + 8 <= end; p += 8) h = xrotl(h ^ xround(0, xread64(p)), 27) * XP1 + XP4;
  if (p + 4 <= end) {
    uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
    h = xrotl(h ^ (w * XP1), 23) * XP2 + XP3;
    p += 4;
  }
  for (; p < end; p++) h = xrotl(h ^ (*p * XP5), 11) * XP1;
  h ^= h >> 33;
  h *= XP2;
  h ^= h >> 29;
  h *= XP3;
  return h ^ (h >> 32);
}

struct crafted {
  unsigned char *bytes;
  size_t len, cap;
};

static void put(struct crafted *c, const void *data, size_t n) {
  if (c->len + n > c->cap) {
    c->cap = (c->len + n) * 2;
    c->bytes = realloc(c->bytes, c->cap);
  }
  memcpy(c->bytes + c->len, data, n);
  c->len += n;
}
static void put_u32(struct crafted *c, uint32_t v) {
  unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  put(c, b, 4);
}
static void put_u64(struct crafted *c, uint64_t v) {
  put_u32(c, (uint32_t)v);
  put_u32(c, (uint32_t)(v >> 32));
}
static void put_str(struct crafted *c, const char *s, size_t n) {
  put_u32(c, (uint32_t)n);
  put(c, s, n);
}
/* Appends `payload` + its XXH64 as one length-prefixed record value. */
static void put_sealed(struct crafted *c, const struct crafted *payload) {
  put_u32(c, (uint32_t)(payload->len + 8));
  put(c, payload->bytes, payload->len);
  put_u64(c, xxh64(payload->bytes, payload->len));
}

/* A Bayes model file named `name` with `n` labels (labels[i], NUL-terminated) in its header,
 * at `version`, hash_bits 10 and no pages. The caller frees ->bytes. */
static struct crafted craft_model_file(const char *name, const char *const *labels, size_t n,
                                       uint64_t version) {
  struct crafted file = {NULL, 0, 0}, header = {NULL, 0, 0}, options = {NULL, 0, 0};
  const char *json = "{\"kind\": \"bayes\", \"hash_bits\": 10}";
  size_t i;
  put_u32(&header, 1);
  put_u64(&header, version);
  put_u32(&header, (uint32_t)n);
  for (i = 0; i < n; i++) put_str(&header, labels[i], strlen(labels[i]));
  for (i = 0; i < n; i++) put_u64(&header, 1); /* documents per label */
  for (i = 0; i < n; i++) put_u64(&header, 0); /* tokens per label */
  put_u64(&header, 0);                         /* distinct features */
  put_u32(&header, (1u << 10) / 64);           /* pages */
  put(&options, json, strlen(json));
  put(&file, "CFMODEL\0", 8);
  put_u32(&file, 1);
  put_str(&file, "bayes", 5);
  put_str(&file, name, strlen(name));
  put_u32(&file, 2);
  put_str(&file, "h", 1);
  put_sealed(&file, &header);
  put_str(&file, "o", 1);
  put_sealed(&file, &options);
  put_u64(&file, xxh64(file.bytes, file.len));
  free(header.bytes);
  free(options.bytes);
  return file;
}

#endif /* CLASSIFLOW_TESTS_C_CRAFTED_H */
