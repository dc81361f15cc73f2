/* Strict JSON reader: one iterative pass over the text. Open arrays and objects
 * sit on an explicit stack of frames (so deep nesting is an error, never a
 * stack overflow); the children of every open container are collected on one
 * shared scratch list and copied into an exact-size array when the container
 * closes, which keeps the whole parse linear. Duplicate keys are caught as
 * each key is read: by comparison in small objects, by a per-object hash table
 * in large ones. */
#include "front/json.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects with at least this many members find duplicate keys by hashing. */
#define SMALL_OBJECT 16
/* Keys quoted in error messages are cut to this many bytes. */
#define MAX_QUOTED 96

typedef struct member {    /* a finished child of an open container */
    ox_json *value;
    const char *key;       /* NULL in arrays */
    size_t key_len;
} member;

typedef struct frame {     /* an open array or object */
    ox_json *node;
    size_t base;           /* index of its first member on the scratch list */
    const char *key;       /* objects: key of the member being read */
    size_t key_len;
    size_t *slots;         /* large objects: open-addressing table of member index + 1 */
    size_t slot_cap;       /* a power of two, or 0 */
} frame;

typedef struct parser {
    ox_ctx *ctx;
    const char *s;
    size_t len, pos;
    size_t line_start;     /* offset of the current line's first byte */
    int line;
    member *scratch;
    size_t n_scratch, cap_scratch;
    frame *frames;
    size_t depth, cap_frames;
} parser;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int column_of(const parser *p, size_t pos)
{
    size_t c = pos - p->line_start + 1;
    return c > INT_MAX ? INT_MAX : (int)c;
}

static ox_status fail_at(parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ox_status fail_at(parser *p, size_t pos, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ox_fail(p->ctx, ONNXIFY_ERR_GRAPH_DESCRIPTION, "invalid JSON at line %d, column %d: %s",
                   p->line, column_of(p, pos), what);
}

static ox_status fail_eof(parser *p) { return fail_at(p, p->len, "unexpected end of input"); }

/* "'x'" for printable ASCII, "byte 0xC3" otherwise. */
static const char *describe(char buf[16], unsigned char c)
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02X", c);
    return buf;
}

static void skip_ws(parser *p)
{
    const char *s = p->s;
    size_t i = p->pos, n = p->len;
    while (i < n) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
        } else if (c == '\n') {
            i++;
            if (p->line < INT_MAX) p->line++;
            p->line_start = i;
        } else {
            break;
        }
    }
    p->pos = i;
}

static ox_json *new_node(parser *p, ox_json_kind kind, size_t pos)
{
    ox_json *v = ox_arena_alloc(p->ctx->arena, sizeof *v);
    if (!v) return NULL;
    v->kind = kind;
    v->line = p->line;
    v->column = column_of(p, pos);
    return v;
}

/* ---- strings ---------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF) starting at a byte >= 0x80, or 0. */
static size_t utf8_sequence(const unsigned char *u, size_t avail)
{
    unsigned c = u[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (avail < need) return 0;
    if (u[1] < lo || u[1] > hi) return 0;
    for (size_t k = 2; k < need; k++)
        if (u[k] < 0x80 || u[k] > 0xBF) return 0;
    return need;
}

static bool hex4(const char *s, size_t i, size_t n, uint32_t *out)
{
    if (n < 4 || i > n - 4) return false;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = s[i + k];
        unsigned d;
        if (!is_hex(c)) return false;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else d = (unsigned)(c - 'A' + 10);
        v = v * 16 + d;
    }
    *out = v;
    return true;
}

static size_t utf8_length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

static char *put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | (cp >> 6));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | (cp >> 12));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | (cp >> 18));
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    return d;
}

/* Validates the \u escape at s[i] (the backslash), pairing surrogates.
 * Returns the bytes it spans (6 or 12) and the code point, or 0 on error. */
static size_t unicode_escape(parser *p, size_t i, uint32_t *cp)
{
    const char *s = p->s;
    size_t n = p->len;
    uint32_t hi, lo;
    if (!hex4(s, i + 2, n, &hi)) {
        /* Either the input ends inside the escape or a non-hex character comes first. */
        size_t k = i + 2;
        while (k < n && k < i + 6 && is_hex(s[k])) k++;
        if (k == n) fail_eof(p);
        else fail_at(p, i, "invalid \\u escape: expected 4 hexadecimal digits");
        return 0;
    }
    if (hi >= 0xDC00 && hi <= 0xDFFF) {
        fail_at(p, i, "unpaired surrogate \\u%04X in string", (unsigned)hi);
        return 0;
    }
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if (n - i >= 12 && s[i + 6] == '\\' && s[i + 7] == 'u' && hex4(s, i + 8, n, &lo) &&
            lo >= 0xDC00 && lo <= 0xDFFF) {
            *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return 12;
        }
        fail_at(p, i, "unpaired surrogate \\u%04X in string", (unsigned)hi);
        return 0;
    }
    if (hi == 0) {
        fail_at(p, i, "\\u0000 (NUL) is not allowed in strings");
        return 0;
    }
    *cp = hi;
    return 6;
}

/* Reads the string whose opening quote is at p->pos into the arena. */
static ox_status parse_string(parser *p, const char **out, size_t *out_len)
{
    const char *s = p->s;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = p->len, start = p->pos + 1, i = start, decoded = 0;
    bool escapes = false;
    char desc[16];

    /* Pass 1: find the end, validate, measure. */
    for (;;) {
        if (i >= n) return fail_eof(p);
        unsigned char c = u[i];
        if (c == '"') break;
        if (c == '\\') {
            escapes = true;
            if (i + 1 >= n) return fail_eof(p);
            switch (s[i + 1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                i += 2;
                decoded++;
                continue;
            case 'u': {
                uint32_t cp = 0;
                size_t span = unicode_escape(p, i, &cp);
                if (!span) return p->ctx->status;
                i += span;
                decoded += utf8_length(cp);
                continue;
            }
            default:
                return fail_at(p, i, "invalid escape '\\' followed by %s in string",
                               describe(desc, u[i + 1]));
            }
        }
        if (c < 0x20) {
            if (c == '\n' || c == '\r') return fail_at(p, i, "unterminated string (line break inside)");
            return fail_at(p, i, "unescaped control character U+%04X in string", c);
        }
        if (c < 0x80) {
            i++;
            decoded++;
            continue;
        }
        size_t k = utf8_sequence(u + i, n - i);
        if (!k) return fail_at(p, i, "invalid UTF-8 (%s) in string", describe(desc, c));
        i += k;
        decoded += k;
    }
    size_t end = i;

    char *d = ox_arena_alloc(p->ctx->arena, decoded + 1);
    if (!d) return OX_NOMEM(p->ctx);
    *out = d;
    *out_len = decoded;
    p->pos = end + 1;
    if (!escapes) {
        memcpy(d, s + start, decoded);
        return OX_OK;
    }
    /* Pass 2: decode; everything was validated above. */
    for (i = start; i < end;) {
        char c = s[i];
        if (c != '\\') {
            *d++ = c;
            i++;
            continue;
        }
        char e = s[i + 1];
        switch (e) {
        case 'b': *d++ = '\b'; i += 2; break;
        case 'f': *d++ = '\f'; i += 2; break;
        case 'n': *d++ = '\n'; i += 2; break;
        case 'r': *d++ = '\r'; i += 2; break;
        case 't': *d++ = '\t'; i += 2; break;
        case 'u': {
            uint32_t hi = 0, lo = 0;
            hex4(s, i + 2, n, &hi);
            i += 6;
            if (hi >= 0xD800 && hi <= 0xDBFF) {
                hex4(s, i + 2, n, &lo);
                i += 6;
                hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            }
            d = put_utf8(d, hi);
            break;
        }
        default: *d++ = e; i += 2; break; /* '"', '\\', '/' */
        }
    }
    return OX_OK;
}

/* ---- numbers and literals --------------------------------------------- */

static ox_status parse_number(parser *p, ox_json *v)
{
    const char *s = p->s;
    size_t n = p->len, start = p->pos, i = start;
    bool neg = false, integral = true;
    char desc[16];

    if (s[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= n) return fail_eof(p);
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i])) return fail_at(p, start, "leading zeros are not allowed in numbers");
    } else if (is_digit(s[i])) {
        while (i < n && is_digit(s[i])) i++;
    } else if (s[i] == 'I') {
        return fail_at(p, start, "Infinity is not a valid JSON number");
    } else {
        return fail_at(p, i, "expected a digit after '-', found %s", describe(desc, (unsigned char)s[i]));
    }
    size_t digits_end = i;
    if (i < n && s[i] == '.') {
        integral = false;
        i++;
        if (i >= n) return fail_eof(p);
        if (!is_digit(s[i])) return fail_at(p, i, "expected a digit after '.'");
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        integral = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n) return fail_eof(p);
        if (!is_digit(s[i])) return fail_at(p, i, "expected a digit in the exponent");
        while (i < n && is_digit(s[i])) i++;
    }
    p->pos = i;

    if (integral) {
        uint64_t mag = 0;
        bool overflow = false;
        for (size_t j = neg ? start + 1 : start; j < digits_end; j++) {
            unsigned d = (unsigned)(s[j] - '0');
            if (mag > (UINT64_MAX - d) / 10) {
                overflow = true;
                break;
            }
            mag = mag * 10 + d;
        }
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        if (!overflow && mag <= limit) {
            v->is_int = true;
            if (!neg) v->integer = (int64_t)mag;
            else if (mag == (uint64_t)INT64_MAX + 1) v->integer = INT64_MIN;
            else v->integer = -(int64_t)mag;
            if (mag <= ((uint64_t)1 << 53)) { /* exact as a double */
                v->number = neg ? -(double)mag : (double)mag;
                return OX_OK;
            }
        }
    }

    /* Everything else goes through strtod (correctly rounded) on a NUL-terminated copy. */
    size_t tl = i - start;
    char small[64];
    char *buf = tl < sizeof small ? small : ox_arena_alloc(p->ctx->arena, tl + 1);
    if (!buf) return OX_NOMEM(p->ctx);
    memcpy(buf, s + start, tl);
    buf[tl] = '\0';
    /* strtod follows LC_NUMERIC; JSON's decimal point is always '.'. */
    const struct lconv *lc = localeconv();
    if (lc && lc->decimal_point && lc->decimal_point[0] != '.' && lc->decimal_point[0] != '\0' &&
        lc->decimal_point[1] == '\0') {
        char *dot = memchr(buf, '.', tl);
        if (dot) *dot = lc->decimal_point[0];
    }
    double d = strtod(buf, NULL);
    if (isinf(d)) return fail_at(p, start, "number out of range");
    v->number = d;
    return OX_OK;
}

static ox_status parse_literal(parser *p, const char *word)
{
    size_t wl = strlen(word), rem = p->len - p->pos;
    const char *s = p->s + p->pos;
    if (rem >= wl && memcmp(s, word, wl) == 0) {
        p->pos += wl;
        return OX_OK;
    }
    size_t k = 0;
    while (k < rem && k < wl && s[k] == word[k]) k++;
    if (k == rem) return fail_eof(p);
    if (s[0] == 'n' && rem >= 3 && memcmp(s, "nan", 3) == 0)
        return fail_at(p, p->pos, "NaN is not a valid JSON number");
    return fail_at(p, p->pos, "invalid literal (expected '%s')", word);
}

/* ---- containers ------------------------------------------------------- */

static ox_status push_member(parser *p, ox_json *v, const char *key, size_t key_len)
{
    if (p->n_scratch == p->cap_scratch) {
        size_t cap = p->cap_scratch ? p->cap_scratch * 2 : 64;
        if (cap > SIZE_MAX / sizeof(member)) return OX_NOMEM(p->ctx);
        member *m = ox_arena_grow(p->ctx->arena, p->scratch, p->n_scratch * sizeof(member),
                                  cap * sizeof(member));
        if (!m) return OX_NOMEM(p->ctx);
        p->scratch = m;
        p->cap_scratch = cap;
    }
    p->scratch[p->n_scratch++] = (member){v, key, key_len};
    return OX_OK;
}

static ox_status open_container(parser *p, ox_json *node)
{
    if (p->depth >= OX_JSON_MAX_DEPTH)
        return fail_at(p, p->pos, "nesting deeper than %d arrays/objects", OX_JSON_MAX_DEPTH);
    if (p->depth == p->cap_frames) {
        size_t cap = p->cap_frames ? p->cap_frames * 2 : 16;
        frame *f = ox_arena_grow(p->ctx->arena, p->frames, p->depth * sizeof(frame),
                                 cap * sizeof(frame));
        if (!f) return OX_NOMEM(p->ctx);
        p->frames = f;
        p->cap_frames = cap;
    }
    p->frames[p->depth++] = (frame){.node = node, .base = p->n_scratch};
    return OX_OK;
}

/* Moves the members of the innermost container into it and pops it. */
static ox_json *close_container(parser *p)
{
    frame *f = &p->frames[--p->depth];
    ox_json *node = f->node;
    size_t n = p->n_scratch - f->base;
    if (n) {
        const member *m = p->scratch + f->base;
        node->items = ox_arena_alloc(p->ctx->arena, n * sizeof(ox_json *));
        if (!node->items) return NULL;
        if (node->kind == OX_JSON_OBJECT) {
            node->keys = ox_arena_alloc(p->ctx->arena, n * sizeof(const char *));
            if (!node->keys) return NULL;
        }
        for (size_t k = 0; k < n; k++) {
            node->items[k] = m[k].value;
            if (node->keys) node->keys[k] = m[k].key;
        }
    }
    node->count = n;
    p->n_scratch = f->base;
    return node;
}

static size_t hash_key(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t k = 0; k < len; k++) {
        h ^= (unsigned char)key[k];
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 32));
}

/* Fails when the innermost object already has `key`; otherwise records it
 * (in the hash table, for large objects) as the next member's key. */
static ox_status check_key(parser *p, const char *key, size_t len, size_t pos)
{
    frame *f = &p->frames[p->depth - 1];
    size_t n = p->n_scratch - f->base;
    const member *m = n ? p->scratch + f->base : NULL; /* no arithmetic on a NULL scratch list */
    if (n < SMALL_OBJECT) {
        for (size_t k = 0; k < n; k++)
            if (m[k].key_len == len && memcmp(m[k].key, key, len) == 0) goto duplicate;
        return OX_OK;
    }
    if ((n + 1) * 2 > f->slot_cap) {
        size_t cap = f->slot_cap ? f->slot_cap * 2 : 64;
        while ((n + 1) * 2 > cap) cap *= 2;
        if (cap > SIZE_MAX / sizeof(size_t)) return OX_NOMEM(p->ctx);
        size_t *slots = ox_arena_alloc(p->ctx->arena, cap * sizeof(size_t));
        if (!slots) return OX_NOMEM(p->ctx);
        for (size_t k = 0; k < n; k++) {
            size_t h = hash_key(m[k].key, m[k].key_len) & (cap - 1);
            while (slots[h]) h = (h + 1) & (cap - 1);
            slots[h] = k + 1;
        }
        f->slots = slots;
        f->slot_cap = cap;
    }
    size_t mask = f->slot_cap - 1, h = hash_key(key, len) & mask;
    for (; f->slots[h]; h = (h + 1) & mask) {
        const member *o = &m[f->slots[h] - 1];
        if (o->key_len == len && memcmp(o->key, key, len) == 0) goto duplicate;
    }
    f->slots[h] = n + 1; /* the member about to be read lands at index n */
    return OX_OK;
duplicate:
    return fail_at(p, pos, "duplicate key \"%.*s\"%s", (int)(len < MAX_QUOTED ? len : MAX_QUOTED), key,
                   len > MAX_QUOTED ? "..." : "");
}

/* ---- the parse loop ----------------------------------------------------- */

ox_status ox_json_parse(ox_ctx *ctx, const char *text, size_t len, ox_json **out)
{
    if (!out) return ox_fail(ctx, ONNXIFY_ERR_INTERNAL, "ox_json_parse: no output pointer");
    *out = NULL;
    parser P = {.ctx = ctx, .s = text ? text : "", .len = text ? len : 0, .line = 1};
    parser *p = &P;
    const char *s = p->s;
    char desc[16];
    ox_json *v = NULL, *root = NULL;
    bool after_comma = false;

    if (p->len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) p->pos = p->line_start = 3;

value:
    skip_ws(p);
    if (p->pos >= p->len) return fail_eof(p);
    switch (s[p->pos]) {
    case '{':
    case '[': {
        bool is_obj = s[p->pos] == '{';
        v = new_node(p, is_obj ? OX_JSON_OBJECT : OX_JSON_ARRAY, p->pos);
        if (!v) return OX_NOMEM(ctx);
        OX_TRY(open_container(p, v));
        p->pos++;
        skip_ws(p);
        if (p->pos >= p->len) return fail_eof(p);
        if (s[p->pos] == (is_obj ? '}' : ']')) {
            p->pos++;
            v = close_container(p);
            if (!v) return OX_NOMEM(ctx);
            goto have_value;
        }
        after_comma = false;
        if (is_obj) goto key;
        goto value;
    }
    case '"':
        v = new_node(p, OX_JSON_STRING, p->pos);
        if (!v) return OX_NOMEM(ctx);
        OX_TRY(parse_string(p, &v->string, &v->string_len));
        break;
    case 't':
    case 'f':
        v = new_node(p, OX_JSON_BOOL, p->pos);
        if (!v) return OX_NOMEM(ctx);
        v->boolean = s[p->pos] == 't';
        OX_TRY(parse_literal(p, v->boolean ? "true" : "false"));
        break;
    case 'n':
        v = new_node(p, OX_JSON_NULL, p->pos);
        if (!v) return OX_NOMEM(ctx);
        OX_TRY(parse_literal(p, "null"));
        break;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        v = new_node(p, OX_JSON_NUMBER, p->pos);
        if (!v) return OX_NOMEM(ctx);
        OX_TRY(parse_number(p, v));
        break;
    case 'N':
    case 'I':
        if (p->len - p->pos >= 3 &&
            (memcmp(s + p->pos, "NaN", 3) == 0 || memcmp(s + p->pos, "Inf", 3) == 0))
            return fail_at(p, p->pos, "NaN and Infinity are not valid JSON numbers");
        return fail_at(p, p->pos, "expected a value, found %s", describe(desc, (unsigned char)s[p->pos]));
    case ']':
    case '}':
        if (after_comma) return fail_at(p, p->pos, "trailing comma before '%c'", s[p->pos]);
        return fail_at(p, p->pos, "expected a value, found '%c'", s[p->pos]);
    default:
        return fail_at(p, p->pos, "expected a value, found %s", describe(desc, (unsigned char)s[p->pos]));
    }

have_value:
    after_comma = false;
    if (p->depth == 0) {
        root = v;
        goto finish;
    }
    {
        frame *f = &p->frames[p->depth - 1];
        bool is_obj = f->node->kind == OX_JSON_OBJECT;
        OX_TRY(push_member(p, v, is_obj ? f->key : NULL, is_obj ? f->key_len : 0));
        skip_ws(p);
        if (p->pos >= p->len) return fail_eof(p);
        char c = s[p->pos];
        if (c == ',') {
            p->pos++;
            after_comma = true;
            if (is_obj) goto key;
            goto value;
        }
        if (c == (is_obj ? '}' : ']')) {
            p->pos++;
            v = close_container(p);
            if (!v) return OX_NOMEM(ctx);
            goto have_value;
        }
        return fail_at(p, p->pos, is_obj ? "expected ',' or '}', found %s" : "expected ',' or ']', found %s",
                       describe(desc, (unsigned char)c));
    }

key:
    skip_ws(p);
    if (p->pos >= p->len) return fail_eof(p);
    if (s[p->pos] != '"') {
        if (s[p->pos] == '}' && after_comma) return fail_at(p, p->pos, "trailing comma before '}'");
        return fail_at(p, p->pos, "expected a string key, found %s", describe(desc, (unsigned char)s[p->pos]));
    }
    {
        size_t key_pos = p->pos;
        const char *key;
        size_t key_len;
        OX_TRY(parse_string(p, &key, &key_len));
        OX_TRY(check_key(p, key, key_len, key_pos));
        frame *f = &p->frames[p->depth - 1];
        f->key = key;
        f->key_len = key_len;
    }
    skip_ws(p);
    if (p->pos >= p->len) return fail_eof(p);
    if (s[p->pos] != ':')
        return fail_at(p, p->pos, "expected ':' after the key, found %s", describe(desc, (unsigned char)s[p->pos]));
    p->pos++;
    after_comma = false;
    goto value;

finish:
    skip_ws(p);
    if (p->pos < p->len)
        return fail_at(p, p->pos, "unexpected %s after the JSON value", describe(desc, (unsigned char)s[p->pos]));
    *out = root;
    return OX_OK;
}

const ox_json *ox_json_get(const ox_json *object, const char *key)
{
    if (!object || object->kind != OX_JSON_OBJECT || !key) return NULL;
    for (size_t k = 0; k < object->count; k++)
        if (strcmp(object->keys[k], key) == 0) return object->items[k];
    return NULL;
}

const char *ox_json_kind_name(ox_json_kind k)
{
    switch (k) {
    case OX_JSON_NULL: return "null";
    case OX_JSON_BOOL: return "boolean";
    case OX_JSON_NUMBER: return "number";
    case OX_JSON_STRING: return "string";
    case OX_JSON_ARRAY: return "array";
    case OX_JSON_OBJECT: return "object";
    }
    return "unknown";
}
