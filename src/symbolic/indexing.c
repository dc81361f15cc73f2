/* Indexing ops (work in progress). */
#include "symbolic/families.h"

const ox_symbolic_entry ox_symbolics_indexing[] = {
    {0},
};
