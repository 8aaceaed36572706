/* Repeated measurements of one quantity, as every benchmark here keeps and reports them. */
#ifndef IV_BENCH_SERIES_H
#define IV_BENCH_SERIES_H

/* The most repetitions of one series kept; more are dropped. */
#define SERIES_MAX 32

struct series {
	double v[SERIES_MAX];
	int n;
};

void series_add(struct series *s, double v);

/* The median (0 for an empty series). */
double series_median(const struct series *s);

/* The largest value with sign 1, the smallest with sign -1 (0 for an empty series). */
double series_extreme(const struct series *s, int sign);

/*
 * Prints the header line every benchmark starts its report with:
 * "bench/NAME on N CPUs (the CPU model), the date and time".
 */
void bench_print_machine(const char *name);

/* Nanoseconds on CLOCK_MONOTONIC. */
double bench_now_ns(void);

#endif
