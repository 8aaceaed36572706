/* Stream test: several writers on one byte stream; records of IV_STREAM_ATOMIC bytes stay whole. */
#include <stdlib.h>
#include <string.h>

#include <intravisor.h>

#include "expect.h"

#define RECORD IV_STREAM_ATOMIC
#define MAX_WRITERS 8

static uint8_t rec[RECORD];

/* A record: writer id, sequence number, then the id's byte everywhere else. */
static void fill(uint32_t id, uint32_t seq)
{
	memset(rec, (int)('a' + id), RECORD);
	memcpy(rec, &id, 4);
	memcpy(rec + 4, &seq, 4);
}

static int writer(uint32_t id, uint32_t count)
{
	int w = (int)expect_ok(iv_stream_prb("many", IV_STREAM_WRITE, WAIT_MS), "probe");
	uint32_t seq;
	int bad = 0;

	for (seq = 0; w > 0 && seq < count; seq++) {
		fill(id, seq);
		bad += iv_stream_send(w, rec, RECORD, -1) != RECORD;
	}
	expect_true(!bad, "every record sent");
	return check_status();
}

static int reader(uint32_t writers, uint32_t count)
{
	int r = (int)expect_ok(iv_stream_prb("many", IV_STREAM_READ, WAIT_MS), "probe");
	uint32_t next[MAX_WRITERS] = {0}, sizes = 5, id, seq, have = 0, records = 0;
	static uint8_t got[RECORD];
	int bad = 0;
	long n;

	/* Reads of any size; the records are put back together here. */
	while (r > 0 && (n = iv_stream_recv(r, got + have, 1 + next_random(&sizes) % (RECORD - have),
					    -1)) > 0) {
		have += (uint32_t)n;
		if (have < RECORD)
			continue;
		have = 0;
		records++;
		memcpy(&id, got, 4);
		memcpy(&seq, got + 4, 4);
		if (id >= writers || seq != next[id]++) {
			bad++;
			continue;
		}
		fill(id, seq);
		bad += memcmp(got, rec, RECORD) != 0;
	}
	expect_true(!bad, "each writer's records arrived whole and in its order");
	for (id = 0; id < writers; id++)
		bad += next[id] != count;
	expect_true(!bad && have == 0 && records == writers * count,
		    "all records of all writers, then EOF once the last writer ended");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	if (!strcmp(argv[1], "write"))
		return writer((uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
	return reader((uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
}
