/* Dropout and its variants (torch's symbolic_opset9/12 forms). With
 * train=False every variant is the identity. In training mode dropout
 * becomes ONNX Dropout (ratio attribute before opset 12; ratio and
 * training_mode inputs from 12, with the mask as second output); the
 * feature/alpha variants have no ONNX form and fail. In-place forms
 * (dropout_, ...) arrive here through the registry. */
#include "symbolic/families.h"
#include "symbolic/helpers.h"


static const char *training_mode_name(onnxify_training_mode m)
{
    switch (m) {
    case ONNXIFY_TRAINING_TRAIN: return "TrainingMode.TRAINING";
    case ONNXIFY_TRAINING_PRESERVE: return "TrainingMode.PRESERVE";
    default: return "TrainingMode.EVAL";
    }
}

/* torch's check_training_mode: warns when the op's train flag disagrees
 * with the export's training mode (PRESERVE never warns). */
static void check_training_mode(ox_sym *g, bool train, const char *op)
{
    if (!g->ctx->opt) return;
    onnxify_training_mode m = g->ctx->opt->training;
    if (m == ONNXIFY_TRAINING_PRESERVE) return;
    if ((m == ONNXIFY_TRAINING_TRAIN) == train) return;
    ox_warn(g->ctx, "ONNX export mode is set to %s, but operator '%s' is set to train=%s. Exporting with train=%s.",
            training_mode_name(m), op, train ? "True" : "False", train ? "True" : "False");
}

static ox_status args(ox_sym *g, double *p, bool *train)
{
    if (g->nin < 3) return ox_sym_error(g, -1, "%s expects 3 inputs, got %d", g->node->kind, g->nin);
    OX_TRY(ox_arg_float(g, 1, p));
    return ox_arg_bool(g, 2, train);
}

/* Opset 9: Dropout(x, ratio=p), outputs (y, mask). */
static ox_status dropout_9(ox_sym *g)
{
    double p;
    bool train;
    OX_TRY(args(g, &p, &train));
    check_training_mode(g, train, "dropout");
    if (!train) return ox_set_out(g, 0, g->in[0]);
    ox_node *n = ox_op(g, "Dropout", 2, 1, g->in);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_f(n, "ratio", p));
    return ox_set_out(g, 0, n->outputs[0]);
}

/* Opset 12: Dropout(x, p as a float scalar, training_mode=true). */
static ox_status dropout_12(ox_sym *g)
{
    double p;
    bool train;
    OX_TRY(args(g, &p, &train));
    check_training_mode(g, train, "dropout");
    if (!train) return ox_set_out(g, 0, g->in[0]);
    ox_value *ratio = ox_const_f32(g, (float)p);
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_BOOL, 0, NULL);
    if (!ratio || !t) return ox_set_out(g, 0, NULL);
    ox_tensor_set_i(t, 0, 1);
    ox_value *mode = ox_const_tensor(g, t);
    if (!mode) return ox_set_out(g, 0, NULL);
    ox_value *ins[3] = {g->in[0], ratio, mode};
    ox_node *n = ox_op(g, "Dropout", 2, 3, ins);
    return ox_set_out(g, 0, n ? n->outputs[0] : NULL);
}

/* feature_dropout, alpha_dropout, feature_alpha_dropout: identity in eval,
 * unsupported in training. */
static ox_status unsupported_dropout(ox_sym *g)
{
    bool train;
    if (g->nin < 3) return ox_sym_error(g, -1, "%s expects 3 inputs, got %d", g->node->kind, g->nin);
    OX_TRY(ox_arg_bool(g, 2, &train));
    if (train) return ox_ew_unimplemented(g, g->node->kind, "training mode", true);
    return ox_set_out(g, 0, g->in[0]);
}

const ox_symbolic_entry ox_symbolics_dropout[] = {
    {"aten::dropout", 9, dropout_9},
    {"aten::dropout", 12, dropout_12},
    {"aten::feature_dropout", 9, unsupported_dropout},
    {"aten::alpha_dropout", 9, unsupported_dropout},
    {"aten::feature_alpha_dropout", 9, unsupported_dropout},
    {0},
};
