/*
 * A minimal QBM host written in C against include/qbm_woocommerce.h: it loads the plugin with
 * dlopen, negotiates the ABI, gives it a host table over an in-memory store, and checks the
 * statuses of good and bad calls. Usage: smoke <path to the plugin library>. Exit code 0 = pass.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qbm_woocommerce.h"

static int failures = 0;

#define CHECK(cond, what)                                   \
    do {                                                    \
        if (cond) {                                         \
            printf("ok   %s\n", what);                      \
        } else {                                            \
            printf("FAIL %s (line %d)\n", what, __LINE__);  \
            failures++;                                     \
        }                                                   \
    } while (0)

/* ---- the host side: an in-memory key/value store and fixed answers ---- */

#define MAX_VALUES 64

struct stored {
    uint32_t area;
    char *key;
    char *value;
};

struct host_state {
    struct stored values[MAX_VALUES];
    int count;
    uint8_t may_administer;
};

static qbm_wc_str view(const char *text) {
    qbm_wc_str s;
    s.ptr = text;
    s.len = strlen(text);
    return s;
}

static char *copy_view(qbm_wc_str s) {
    char *out = malloc(s.len + 1);
    if (out == NULL) {
        return NULL;
    }
    if (s.len > 0) {
        memcpy(out, s.ptr, s.len);
    }
    out[s.len] = '\0';
    return out;
}

static uint32_t reply(const qbm_wc_sink *out, const char *document) {
    return out->write(out->sink_ctx, view(document));
}

static uint32_t get_identity(void *ctx, const qbm_wc_sink *out) {
    (void)ctx;
    return reply(out, "{\"company_id\":\"C1\",\"company_name\":\"C Test Company\",\"user\":\"admin\","
                      "\"user_name\":\"Administrator\",\"workstation\":\"C-HOST\"}");
}

static uint32_t check_permission(void *ctx, uint32_t permission, uint8_t *out_allowed) {
    struct host_state *state = ctx;
    *out_allowed = permission == QBM_WC_PERMISSION_ADMINISTER_OPTIONS ? state->may_administer : 1;
    return QBM_WC_STATUS_OK;
}

static struct stored *find(struct host_state *state, uint32_t area, qbm_wc_str key) {
    for (int i = 0; i < state->count; i++) {
        if (state->values[i].area == area && strlen(state->values[i].key) == key.len &&
            memcmp(state->values[i].key, key.ptr, key.len) == 0) {
            return &state->values[i];
        }
    }
    return NULL;
}

static uint32_t storage_get(void *ctx, uint32_t area, qbm_wc_str key, uint8_t *out_found,
                            const qbm_wc_sink *out) {
    struct stored *slot = find(ctx, area, key);
    *out_found = slot != NULL;
    return slot != NULL ? reply(out, slot->value) : QBM_WC_STATUS_OK;
}

static uint32_t storage_set(void *ctx, uint32_t area, qbm_wc_str key, qbm_wc_str value) {
    struct host_state *state = ctx;
    struct stored *slot = find(state, area, key);
    if (value.ptr == NULL) {
        if (slot != NULL) {
            free(slot->key);
            free(slot->value);
            *slot = state->values[--state->count];
        }
        return QBM_WC_STATUS_OK;
    }
    if (slot == NULL) {
        if (state->count == MAX_VALUES) {
            return QBM_WC_STATUS_HOST_ERROR;
        }
        slot = &state->values[state->count++];
        slot->area = area;
        slot->key = copy_view(key);
    } else {
        free(slot->value);
    }
    slot->value = copy_view(value);
    return QBM_WC_STATUS_OK;
}

static uint32_t locations_list(void *ctx, qbm_wc_str request, const qbm_wc_sink *out) {
    (void)ctx;
    (void)request;
    return reply(out, "{\"locations\":[{\"id\":\"1\",\"code\":\"MAIN\",\"name\":\"Main\",\"is_default\":true}]}");
}

static uint32_t nothing_here(void *ctx, qbm_wc_str request, const qbm_wc_sink *out) {
    (void)ctx;
    (void)request;
    reply(out, "the C host keeps no records");
    return QBM_WC_STATUS_HOST_ERROR;
}

static qbm_wc_host make_host(struct host_state *state) {
    qbm_wc_host host;
    memset(&host, 0, sizeof host);
    host.struct_size = sizeof host;
    host.abi_major = QBM_WC_ABI_MAJOR;
    host.abi_minor = QBM_WC_ABI_MINOR;
    host.host_ctx = state;
    host.get_identity = get_identity;
    host.check_permission = check_permission;
    host.storage_get = storage_get;
    host.storage_set = storage_set;
    host.items_query = nothing_here;
    host.items_create = nothing_here;
    host.items_update = nothing_here;
    host.locations_list = locations_list;
    host.stock_on_hand = nothing_here;
    host.accounts_list = nothing_here;
    host.customers_find = nothing_here;
    host.customers_create = nothing_here;
    host.orders_create = nothing_here;
    host.orders_query = nothing_here;
    host.links_get = nothing_here;
    host.links_put = nothing_here;
    /* progress, log and notify are optional and left NULL on purpose. */
    return host;
}

/* ---- helpers on the plugin side ---- */

static const char *message(const qbm_wc_api *api) {
    static char buf[2048];
    size_t len = 0;
    api->last_error(buf, sizeof buf, &len);
    return buf;
}

static int contains(const qbm_wc_buffer *buf, const char *needle) {
    return buf->ptr != NULL && strstr(buf->ptr, needle) != NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <plugin library>\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    qbm_wc_entry_fn entry;
    qbm_wc_last_error_fn last_error;
    *(void **)(&entry) = dlsym(lib, "qbm_wc_entry");
    *(void **)(&last_error) = dlsym(lib, "qbm_wc_last_error");
    CHECK(entry != NULL && last_error != NULL, "both exported symbols are found");
    if (entry == NULL || last_error == NULL) {
        return 1;
    }

    /* Negotiation: a newer major version is refused with a message, NULL out is refused. */
    const qbm_wc_api *api = NULL;
    qbm_wc_status status = entry(QBM_WC_ABI_MAJOR + 1, 0, &api);
    char text[512];
    size_t len = 0;
    last_error(text, sizeof text, &len);
    CHECK(status == QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION && api == NULL, "a newer ABI major is refused");
    CHECK(len > 0 && strstr(text, "ABI") != NULL, "the refusal explains itself");
    CHECK(entry(QBM_WC_ABI_MAJOR, 0, NULL) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL out_entry is refused");
    status = entry(QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, &api);
    CHECK(status == QBM_WC_STATUS_OK && api != NULL, "the host's own version is accepted");
    if (api == NULL) {
        return 1;
    }
    CHECK(api->struct_size >= sizeof(qbm_wc_api), "the table is at least as large as this header's");
    CHECK(strcmp(api->plugin_id, "qbm.woocommerce") == 0, "the plugin id");
    CHECK(strcmp(api->status_name(QBM_WC_STATUS_PANIC), "QBM_WC_STATUS_PANIC") == 0, "status names");
    CHECK(api->init() == QBM_WC_STATUS_OK, "init");

    /* create: bad tables are refused, a good one accepted. */
    struct host_state state;
    memset(&state, 0, sizeof state);
    state.may_administer = 1;
    qbm_wc_host host = make_host(&state);
    qbm_wc_plugin *plugin = NULL;
    CHECK(api->create(NULL, &plugin) == QBM_WC_STATUS_NULL_ARGUMENT, "create refuses a NULL host");
    qbm_wc_host broken = host;
    broken.items_query = NULL;
    CHECK(api->create(&broken, &plugin) == QBM_WC_STATUS_HOST_CALLBACK_MISSING, "create names a missing callback");
    CHECK(strstr(message(api), "items_query") != NULL, "the message names items_query");
    broken = host;
    broken.struct_size = 8;
    CHECK(api->create(&broken, &plugin) == QBM_WC_STATUS_STRUCT_TOO_SMALL, "create refuses a truncated table");
    CHECK(api->create(&host, &plugin) == QBM_WC_STATUS_OK && plugin != NULL, "create");

    /* Menu and option schema. */
    qbm_wc_buffer buf = {NULL, 0};
    CHECK(api->describe_menu(plugin, &buf) == QBM_WC_STATUS_OK && contains(&buf, "\"visible\":false"),
          "the menu is hidden while the integration is off");
    api->buffer_free(&buf);
    CHECK(buf.ptr == NULL && buf.len == 0, "buffer_free zeroes the buffer");
    CHECK(api->option_schema(plugin, &buf) == QBM_WC_STATUS_OK && contains(&buf, "consumer_secret") &&
              contains(&buf, "Enable stock sync on this client") && contains(&buf, "Last order sync"),
          "the option schema lists the options");
    api->buffer_free(&buf);

    /* Saving options: valid values are saved, invalid ones refused field by field. */
    const char *good = "{\"values\":{\"enabled\":true,\"store_url\":\"https://shop.example.test\","
                       "\"consumer_key\":\"ck_0123456789abcdef0123456789abcdef01234567\","
                       "\"consumer_secret\":\"cs_fedcba9876543210fedcba9876543210fedcba98\"}}";
    CHECK(api->options_save(plugin, view(good), &buf) == QBM_WC_STATUS_OK && contains(&buf, "\"saved\":true"),
          "valid options are saved");
    api->buffer_free(&buf);
    CHECK(api->describe_menu(plugin, &buf) == QBM_WC_STATUS_OK && contains(&buf, "\"Items\"") &&
              contains(&buf, "\"Logs\""),
          "the menu appears once the integration is on");
    api->buffer_free(&buf);
    CHECK(api->options_get(plugin, &buf) == QBM_WC_STATUS_OK && !contains(&buf, "cs_fedcba"),
          "options_get never returns the secret");
    api->buffer_free(&buf);
    const char *bad = "{\"values\":{\"store_url\":\"http://shop.example.test\",\"stock_sync_interval_minutes\":0}}";
    status = api->options_save(plugin, view(bad), &buf);
    CHECK(status == QBM_WC_STATUS_INVALID_OPTIONS, "invalid options are refused");
    CHECK(contains(&buf, "\"field\":\"store_url\"") && contains(&buf, "\"field\":\"stock_sync_interval_minutes\""),
          "the report names each bad field");
    api->buffer_free(&buf);
    state.may_administer = 0;
    CHECK(api->options_save(plugin, view(good), &buf) == QBM_WC_STATUS_PERMISSION_DENIED,
          "a user who may not change Options is refused");
    state.may_administer = 1;

    /* Actions and bad input. */
    status = api->invoke_action(plugin, view("{\"action\":\"no.such.action\",\"call_id\":1}"), &buf);
    CHECK(status == QBM_WC_STATUS_UNKNOWN_ACTION && strstr(message(api), "no.such.action") != NULL,
          "an unknown action is refused by name");
    CHECK(api->invoke_action(plugin, view("{not json"), &buf) == QBM_WC_STATUS_INVALID_JSON, "broken JSON");
    qbm_wc_str invalid = {"\xff\xfe", 2};
    CHECK(api->invoke_action(plugin, invalid, &buf) == QBM_WC_STATUS_INVALID_UTF8, "invalid UTF-8");
    qbm_wc_str dangling = {NULL, 4};
    CHECK(api->describe_screen(plugin, dangling, &buf) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL string with a length");
    CHECK(api->describe_screen(plugin, view("nowhere"), &buf) == QBM_WC_STATUS_UNKNOWN_SCREEN, "an unknown screen");
    CHECK(api->describe_menu(NULL, &buf) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL plugin");
    CHECK(api->describe_menu(plugin, NULL) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL out");
    CHECK(buf.ptr == NULL, "nothing is written on failure");
    CHECK(api->describe_screen(plugin, view("items"), &buf) == QBM_WC_STATUS_OK && contains(&buf, "Create / Update"),
          "the Items screen describes its buttons");
    api->buffer_free(&buf);

    api->destroy(plugin);
    api->destroy(NULL);
    api->deinit();
    dlclose(lib);
    for (int i = 0; i < state.count; i++) {
        free(state.values[i].key);
        free(state.values[i].value);
    }
    printf("%s: %d failure(s)\n", failures == 0 ? "PASS" : "FAIL", failures);
    return failures == 0 ? 0 : 1;
}
