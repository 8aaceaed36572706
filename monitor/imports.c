/* Lookup over the import families the monitor serves. */
#include <string.h>

#include "imports.h"

static const struct import_family *const families[] = {
	&hostcall_family,
	&cap_family,
	&capfile_family,
	&call_family,
	&stream_family,
	&wasi_family,
	&net_family,
};

const struct import_family *imports_family(const char *module)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(families[i]->module, module))
			return families[i];
	return NULL;
}

const struct import_def *imports_find(const char *module, const char *name,
				      const struct import_family **family)
{
	size_t i, j;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct import_family *f = families[i];
		if (strcmp(f->module, module))
			continue;
		for (j = 0; j < f->ndefs; j++) {
			if (!strcmp(f->defs[j].name, name)) {
				if (family)
					*family = f;
				return &f->defs[j];
			}
		}
	}
	return NULL;
}
