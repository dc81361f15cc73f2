/* What the entry points in src/ (export.c, unconvertible_ops.c) share about
 * the exporter object behind the public handle. */
#ifndef OX_EXPORTER_H
#define OX_EXPORTER_H

#include "onnxify.h"

/* Parks `msg` as the last error of `ex` (clears it for ONNXIFY_OK); returns st. */
onnxify_status ox_exporter_set_error(onnxify_exporter *ex, onnxify_status st, const char *msg);
/* Hands `ex` a malloc'ed block backing a returned string list (freed with the
 * next such list or with `ex`). */
void ox_exporter_keep_list(onnxify_exporter *ex, char *storage);

#endif
