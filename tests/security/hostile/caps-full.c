/* Fills its capability table: the next capability is refused, an old one still works. */
#include <intravisor.h>

static char region[4096];

int main(void)
{
	int root = iv_capfile_adv("caps-full", region, sizeof(region), IV_PERM_LOAD);
	int held = 1, last = root, h;
	char c;

	while ((h = iv_cap_derive(root, 0, 1, IV_PERM_LOAD)) > 0) {
		last = h;
		held++;
	}
	/* The YAML gives this cVM a table of 64. */
	iv_printf("table full after %d capabilities: %s\n", held,
		  h == -IV_EMFILE && held == 64 ? "refused with -IV_EMFILE" : "WRONG");
	iv_printf("an old capability still works: %s\n",
		  iv_cap_load(last, 0, &c, 1) == 0 ? "yes" : "no");
	iv_printf("after a drop there is room again: %s\n",
		  iv_cap_drop(last) == 0 && iv_cap_derive(root, 0, 1, IV_PERM_LOAD) > 0 ? "yes"
											 : "no");
	return h == -IV_EMFILE && held == 64 ? 0 : 1;
}
