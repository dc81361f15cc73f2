/* Writes a parsed JSON value back as compact text (used to hand a sub-object
 * of the options on as text). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "front/json.h"
#include "util/strbuf.h"

static void write_string(ox_strbuf *sb, const char *s, size_t len)
{
    ox_sb_append(sb, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[3] = {'\\', (char)c, 0};
            ox_sb_append(sb, esc);
        } else if (c < 0x20) {
            ox_sb_printf(sb, "\\u%04x", c);
        } else {
            ox_sb_appendn(sb, (const char *)&s[i], 1);
        }
    }
    ox_sb_append(sb, "\"");
}

static void write_value(ox_strbuf *sb, const ox_json *v)
{
    switch (v->kind) {
    case OX_JSON_NULL: ox_sb_append(sb, "null"); break;
    case OX_JSON_BOOL: ox_sb_append(sb, v->boolean ? "true" : "false"); break;
    case OX_JSON_NUMBER:
        if (v->is_int) ox_sb_printf(sb, "%" PRId64, v->integer);
        else ox_sb_printf(sb, "%.17g", v->number);
        break;
    case OX_JSON_STRING: write_string(sb, v->string, v->string_len); break;
    case OX_JSON_ARRAY:
    case OX_JSON_OBJECT: {
        bool obj = v->kind == OX_JSON_OBJECT;
        ox_sb_append(sb, obj ? "{" : "[");
        for (size_t i = 0; i < v->count; i++) {
            if (i) ox_sb_append(sb, ",");
            if (obj) {
                write_string(sb, v->keys[i], strlen(v->keys[i]));
                ox_sb_append(sb, ":");
            }
            write_value(sb, v->items[i]);
        }
        ox_sb_append(sb, obj ? "}" : "]");
        break;
    }
    }
}

const char *ox_json_to_text(ox_arena *a, const ox_json *v)
{
    ox_strbuf sb;
    ox_sb_init(&sb, a);
    write_value(&sb, v);
    return ox_sb_str(&sb);
}
