/* Example cVM `kv` (bare runtime): a key-value store other cVMs call through CAP_CALL. */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#define KV_ENTRIES 16
#define KV_KEY_MAX 32
#define KV_VALUE_MAX 64

static struct entry {
	char key[KV_KEY_MAX];
	char value[KV_VALUE_MAX];
	size_t key_len, value_len;
} entries[KV_ENTRIES];
static int nentries;

static struct entry *find(const char *key, size_t key_len)
{
	for (int i = 0; i < nentries; i++)
		if (entries[i].key_len == key_len && memcmp(entries[i].key, key, key_len) == 0)
			return &entries[i];
	return NULL;
}

/*
 * Reads the key from the start of the buffer the caller lent (the monitor revokes and frees
 * that capability when the call returns). Returns the buffer's handle, or a negative iv_error.
 */
static int read_key(int32_t key_len, char key[KV_KEY_MAX])
{
	int buf = iv_call_buffer();
	int ret;

	if (buf < 0)
		return buf;
	if (key_len <= 0 || key_len > KV_KEY_MAX)
		return -IV_EINVAL;
	ret = iv_cap_load(buf, 0, key, (size_t)key_len);
	return ret < 0 ? ret : buf;
}

/*
 * kv_put(key_len, value_len): the caller's buffer holds the key, then the value. Returns 0,
 * -IV_ENOMEM when the store is full, or another negative iv_error.
 */
IV_EXPORT("kv_put") int32_t kv_put(int32_t key_len, int32_t value_len);
int32_t kv_put(int32_t key_len, int32_t value_len)
{
	char key[KV_KEY_MAX], value[KV_VALUE_MAX];
	struct entry *e;
	int buf = read_key(key_len, key);
	int ret;

	if (buf < 0)
		return buf;
	if (value_len < 0 || value_len > KV_VALUE_MAX)
		ret = -IV_EINVAL;
	else
		ret = iv_cap_load(buf, (uint64_t)key_len, value, (size_t)value_len);
	if (ret < 0)
		return ret;

	e = find(key, (size_t)key_len);
	if (!e) {
		if (nentries == KV_ENTRIES)
			return -IV_ENOMEM;
		e = &entries[nentries++];
		memcpy(e->key, key, (size_t)key_len);
		e->key_len = (size_t)key_len;
	}
	memcpy(e->value, value, (size_t)value_len);
	e->value_len = (size_t)value_len;
	return 0;
}

/*
 * kv_get(key_len): the caller's buffer holds the key; the value replaces it. Returns the
 * value's length, -IV_ENOENT for an unknown key, -IV_ERANGE when the buffer is too small.
 */
IV_EXPORT("kv_get") int32_t kv_get(int32_t key_len);
int32_t kv_get(int32_t key_len)
{
	char key[KV_KEY_MAX];
	struct iv_cap_info info;
	const struct entry *e;
	int buf = read_key(key_len, key);
	int ret;

	if (buf < 0)
		return buf;
	e = find(key, (size_t)key_len);
	if (!e)
		return -IV_ENOENT;
	ret = iv_cap_info(buf, &info);
	if (ret == 0 && info.length < e->value_len)
		ret = -IV_ERANGE;
	if (ret == 0)
		ret = iv_cap_store(buf, 0, e->value, e->value_len);
	return ret < 0 ? ret : (int32_t)e->value_len;
}

int main(void)
{
	int ret = iv_call_adv("kv_put", "kv_put");

	if (ret >= 0)
		ret = iv_call_adv("kv_get", "kv_get");
	if (ret < 0) {
		iv_printf("kv: cannot advertise: %d\n", ret);
		return 1;
	}
	iv_puts("kv: serving kv_put and kv_get");
	ret = iv_serve(-1);
	iv_printf("kv: every client has ended, %d entries stored\n", nentries);
	return ret == 0 ? 0 : 1;
}
