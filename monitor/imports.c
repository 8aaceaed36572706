/* Lookup over the import families the monitor serves. */
#include <string.h>

#include "imports.h"

static const struct import_family *const families[] = {
	&hostcall_family,
	&wasi_family,
};

const struct import_family *imports_family(const char *module)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(families[i]->module, module))
			return families[i];
	return NULL;
}

const struct import_def *imports_find(const char *module, const char *name)
{
	const struct import_family *f = imports_family(module);
	size_t i;

	if (!f)
		return NULL;
	for (i = 0; i < f->ndefs; i++)
		if (!strcmp(f->defs[i].name, name))
			return &f->defs[i];
	return NULL;
}
