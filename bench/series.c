/* Repeated measurements: keeping them, their median and extremes, and the clock they use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "series.h"

void series_add(struct series *s, double v)
{
	if (s->n < SERIES_MAX)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double series_median(const struct series *s)
{
	double v[SERIES_MAX];

	if (!s->n)
		return 0;
	memcpy(v, s->v, (size_t)s->n * sizeof(v[0]));
	qsort(v, (size_t)s->n, sizeof(v[0]), cmp_double);
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

double series_extreme(const struct series *s, int sign)
{
	double e = s->n ? s->v[0] : 0;
	int i;

	for (i = 1; i < s->n; i++)
		if ((s->v[i] - e) * sign > 0)
			e = s->v[i];
	return e;
}

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void bench_print_machine(const char *name)
{
	char line[256], model[256] = "unknown", date[64];
	FILE *f = fopen("/proc/cpuinfo", "r");
	time_t t = time(NULL);

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M %Z", localtime(&t));
	printf("bench/%s on %ld CPUs (%s), %s\n", name, sysconf(_SC_NPROCESSORS_ONLN), model, date);
}
