/* Example cVM (posix runtime): a client of `kv`, storing and reading its own keys by CAP_CALL. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <intravisor.h>

static int kv_put, kv_get;

/* Stores key = value: the buffer, lent read-only, holds the key and then the value. */
static int put(const char *key, const char *value)
{
	char buf[96];
	size_t klen = strlen(key), vlen = strlen(value);
	int64_t args[2] = { (int64_t)klen, (int64_t)vlen }, result;
	int ret;

	memcpy(buf, key, klen);
	memcpy(buf + klen, value, vlen);
	ret = iv_call(kv_put, args, 2, buf, klen + vlen, IV_PERM_LOAD, &result);
	if (ret == 0)
		ret = (int)result;
	if (ret == 0)
		printf("put %s = %s\n", key, value);
	else
		printf("put %s: error %d\n", key, ret);
	return ret;
}

/* Reads key back: the buffer, lent read-write, holds the key and receives the value. */
static int get(const char *key)
{
	char buf[64] = { 0 };
	size_t klen = strlen(key);
	int64_t args[1] = { (int64_t)klen }, result;
	int ret;

	memcpy(buf, key, klen);
	ret = iv_call(kv_get, args, 1, buf, sizeof(buf) - 1, IV_PERM_LOAD | IV_PERM_STORE,
		      &result);
	if (ret == 0)
		ret = (int)result;
	if (ret >= 0)
		printf("get %s -> %.*s\n", key, ret, buf);
	else if (ret == -IV_ENOENT)
		printf("get %s -> not found\n", key);
	else
		printf("get %s: error %d\n", key, ret);
	return ret;
}

int main(int argc, char **argv)
{
	const char *me = argc > 1 ? argv[1] : "client";
	char color[40], pet[40], car[40];

	/* kv advertises its functions when it starts: wait up to 5 seconds for them. */
	kv_put = iv_call_prb("kv_put", 5000);
	kv_get = iv_call_prb("kv_get", 5000);
	if (kv_put < 0 || kv_get < 0) {
		printf("%s: kv is not there: %d %d\n", me, kv_put, kv_get);
		return 1;
	}
	snprintf(color, sizeof(color), "%s.color", me);
	snprintf(pet, sizeof(pet), "%s.pet", me);
	snprintf(car, sizeof(car), "%s.car", me);

	if (put(color, argc > 2 ? argv[2] : "blue") || put(pet, argc > 3 ? argv[3] : "cat"))
		return 1;
	if (get(color) < 0 || get(pet) < 0 || get(car) != -IV_ENOENT)
		return 1;
	return 0;
}
