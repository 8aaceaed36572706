/* Fuzzes the wasm reader (wmod_parse): any bytes give a result or a reason, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "wasm_module.h"

#define CHECK(cond, what)                                                                 \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_wasm: %s\n", what);                          \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* What a successful parse promises its users (module.c, imports.c, call.c). */
static void check_info(const struct wmod_info *info)
{
	size_t i;

	CHECK(!info->nimports || info->imports, "imports missing");
	CHECK(!info->nexports || info->exports, "exports missing");
	for (i = 0; i < info->nimports; i++) {
		const struct wmod_import *imp = &info->imports[i];

		CHECK(imp->module && imp->name, "import without a name");
		CHECK((imp->kind == WMOD_FUNC) == (imp->sig != NULL), "import signature");
		CHECK(!imp->sig || strchr(imp->sig, ':'), "import signature without ':'");
	}
	for (i = 0; i < info->nexports; i++) {
		const struct wmod_export *exp = &info->exports[i];

		CHECK(exp->name, "export without a name");
		CHECK(exp->kind <= WMOD_TAG, "export kind");
		CHECK((exp->kind == WMOD_FUNC) == (exp->sig != NULL), "export signature");
		CHECK(wmod_find_export(info, exp->name), "export not found by name");
	}
	CHECK(!info->has_memory || info->mem_initial <= 65536, "initial memory");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wmod_info info;
	char err[256];
	int rc;

	err[0] = 0;
	rc = wmod_parse(data, size, &info, err, sizeof(err));
	if (rc == 0) {
		check_info(&info);
		wmod_free(&info);
	} else {
		CHECK(err[0], "refused without a reason");
		CHECK(!info.imports && !info.exports && !info.nimports && !info.nexports,
		      "refused but left results behind");
	}
	/* The same answer with a one-byte error buffer, which must not be overrun. */
	memset(err, 'x', sizeof(err));
	CHECK(wmod_parse(data, size, &info, err, 1) == rc, "a different answer");
	if (rc == 0)
		wmod_free(&info);
	CHECK(err[0] == (rc ? 0 : 'x') && err[1] == 'x', "error buffer overrun");
	return 0;
}
