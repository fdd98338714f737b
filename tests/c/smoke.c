/*
 * A minimal QBM host written in C against include/qbm_woocommerce.h: it loads the plugin with
 * dlopen, negotiates the ABI, gives it a host table over an in-memory store, and checks the
 * statuses of good and bad calls.
 *
 * Usage: smoke <plugin library> [mode]. Exit code 0 = pass. Modes:
 *   (none)  an ABI 1.1 host: the common checks, compare-and-set, protected secrets, and a job
 *           thread calling run_due_jobs while the main thread makes other calls; every host
 *           callback must arrive on one of those two threads while it is inside a plugin call.
 *   v1.0    a host built for ABI 1.0 (struct_size ends at notify, abi_minor 0): the common checks,
 *           and the fields after notify (traps here) are never called.
 *   unload  three rounds of dlopen, init, create, calls from this thread (one of them fails,
 *           so the thread holds a message) and from a worker thread, destroy, deinit, dlclose:
 *           the library is gone from the process after each dlclose, the worker ends after it
 *           without a crash, and the next round loads it afresh.
 */
#define _XOPEN_SOURCE 700

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- which thread is inside a call into the plugin ---- */

/* Plugin calls this thread is inside; callbacks must only arrive while it is above zero. */
static _Thread_local int plugin_depth = 0;
static _Thread_local qbm_wc_status plugin_status;

/* Every call into the plugin goes through one of these, so callbacks can tell where they are. */
#define PLUGIN(call) (plugin_depth++, plugin_status = (call), plugin_depth--, plugin_status)
#define PLUGIN_VOID(call)   \
    do {                    \
        plugin_depth++;     \
        call;               \
        plugin_depth--;     \
    } while (0)

/* ---- the host side: an in-memory key/value store, secrets and fixed answers ---- */

#define MAX_VALUES 512
#define MAX_THREADS 8

struct stored {
    uint32_t area;
    char *key;
    char *value;
};

struct host_state {
    pthread_mutex_t lock;
    struct stored values[MAX_VALUES];
    int count;
    struct stored secrets[4];
    int secret_count;
    uint8_t may_administer;
    /* Threads callbacks arrived on, and callbacks that arrived outside a plugin call. */
    pthread_t threads[MAX_THREADS];
    int thread_count;
    int callbacks;
    int outside_calls;
    int cas_calls;
    /* Callbacks beyond a 1.0 table's struct_size that were called anyway. */
    int beyond_table;
    /* request_run: a flag and a condition variable the job thread waits on. */
    pthread_cond_t run_requested;
    int run_pending;
    int run_requests;
};

static void arrived(struct host_state *state) {
    pthread_t self = pthread_self();
    pthread_mutex_lock(&state->lock);
    state->callbacks++;
    if (plugin_depth <= 0) {
        state->outside_calls++;
    }
    int known = 0;
    for (int i = 0; i < state->thread_count; i++) {
        if (pthread_equal(state->threads[i], self)) {
            known = 1;
        }
    }
    if (!known && state->thread_count < MAX_THREADS) {
        state->threads[state->thread_count++] = self;
    }
    pthread_mutex_unlock(&state->lock);
}

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
    arrived(ctx);
    return reply(out, "{\"company_id\":\"C1\",\"company_name\":\"C Test Company\",\"user\":\"admin\","
                      "\"user_name\":\"Administrator\",\"workstation\":\"C-HOST\"}");
}

static uint32_t check_permission(void *ctx, uint32_t permission, uint8_t *out_allowed) {
    struct host_state *state = ctx;
    arrived(state);
    *out_allowed = permission == QBM_WC_PERMISSION_ADMINISTER_OPTIONS ? state->may_administer : 1;
    return QBM_WC_STATUS_OK;
}

static struct stored *find_in(struct stored *list, int count, uint32_t area, qbm_wc_str key) {
    for (int i = 0; i < count; i++) {
        if (list[i].area == area && strlen(list[i].key) == key.len &&
            memcmp(list[i].key, key.ptr, key.len) == 0) {
            return &list[i];
        }
    }
    return NULL;
}

/* Stores or (value.ptr == NULL) removes; the caller holds the lock. */
static uint32_t put_in(struct stored *list, int *count, int capacity, uint32_t area, qbm_wc_str key,
                       qbm_wc_str value) {
    struct stored *slot = find_in(list, *count, area, key);
    if (value.ptr == NULL) {
        if (slot != NULL) {
            free(slot->key);
            free(slot->value);
            *slot = list[--*count];
        }
        return QBM_WC_STATUS_OK;
    }
    if (slot == NULL) {
        if (*count == capacity) {
            return QBM_WC_STATUS_HOST_ERROR;
        }
        slot = &list[(*count)++];
        slot->area = area;
        slot->key = copy_view(key);
    } else {
        free(slot->value);
    }
    slot->value = copy_view(value);
    return QBM_WC_STATUS_OK;
}

static uint32_t storage_get(void *ctx, uint32_t area, qbm_wc_str key, uint8_t *out_found,
                            const qbm_wc_sink *out) {
    struct host_state *state = ctx;
    arrived(state);
    pthread_mutex_lock(&state->lock);
    struct stored *slot = find_in(state->values, state->count, area, key);
    char *value = slot != NULL ? copy_view(view(slot->value)) : NULL;
    pthread_mutex_unlock(&state->lock);
    *out_found = value != NULL;
    uint32_t status = value != NULL ? reply(out, value) : QBM_WC_STATUS_OK;
    free(value);
    return status;
}

static uint32_t storage_set(void *ctx, uint32_t area, qbm_wc_str key, qbm_wc_str value) {
    struct host_state *state = ctx;
    arrived(state);
    pthread_mutex_lock(&state->lock);
    uint32_t status = put_in(state->values, &state->count, MAX_VALUES, area, key, value);
    pthread_mutex_unlock(&state->lock);
    return status;
}

static uint32_t storage_cas(void *ctx, uint32_t area, qbm_wc_str key, qbm_wc_str expected,
                            qbm_wc_str value, uint8_t *out_swapped) {
    struct host_state *state = ctx;
    arrived(state);
    pthread_mutex_lock(&state->lock);
    state->cas_calls++;
    struct stored *slot = find_in(state->values, state->count, area, key);
    int same = expected.ptr == NULL
                   ? slot == NULL
                   : slot != NULL && strlen(slot->value) == expected.len &&
                         memcmp(slot->value, expected.ptr, expected.len) == 0;
    uint32_t status = QBM_WC_STATUS_OK;
    if (same) {
        status = put_in(state->values, &state->count, MAX_VALUES, area, key, value);
    }
    pthread_mutex_unlock(&state->lock);
    *out_swapped = same && status == QBM_WC_STATUS_OK;
    return status;
}

static uint32_t secret_get(void *ctx, qbm_wc_str key, uint8_t *out_found, const qbm_wc_sink *out) {
    struct host_state *state = ctx;
    arrived(state);
    pthread_mutex_lock(&state->lock);
    struct stored *slot = find_in(state->secrets, state->secret_count, 0, key);
    char *value = slot != NULL ? copy_view(view(slot->value)) : NULL;
    pthread_mutex_unlock(&state->lock);
    *out_found = value != NULL;
    uint32_t status = value != NULL ? reply(out, value) : QBM_WC_STATUS_OK;
    free(value);
    return status;
}

static uint32_t secret_set(void *ctx, qbm_wc_str key, qbm_wc_str value) {
    struct host_state *state = ctx;
    arrived(state);
    pthread_mutex_lock(&state->lock);
    uint32_t status = put_in(state->secrets, &state->secret_count, 4, 0, key, value);
    pthread_mutex_unlock(&state->lock);
    return status;
}

static void request_run(void *ctx) {
    /* May come from any thread: only a flag and a signal, never a call into the plugin. */
    struct host_state *state = ctx;
    pthread_mutex_lock(&state->lock);
    state->run_pending = 1;
    state->run_requests++;
    pthread_cond_signal(&state->run_requested);
    pthread_mutex_unlock(&state->lock);
}

static uint32_t locations_list(void *ctx, qbm_wc_str request, const qbm_wc_sink *out) {
    arrived(ctx);
    (void)request;
    return reply(out, "{\"locations\":[{\"id\":\"1\",\"code\":\"MAIN\",\"name\":\"Main\",\"is_default\":true}]}");
}

static uint32_t nothing_here(void *ctx, qbm_wc_str request, const qbm_wc_sink *out) {
    arrived(ctx);
    (void)request;
    reply(out, "the C host keeps no records");
    return QBM_WC_STATUS_HOST_ERROR;
}

static void ignore_line(void *ctx, uint32_t level, qbm_wc_str message) {
    arrived(ctx);
    (void)level;
    (void)message;
}

/* The fields after notify of a 1.0 host: whatever they hold must never be called. */
static void beyond(void *ctx) {
    struct host_state *state = ctx;
    pthread_mutex_lock(&state->lock);
    state->beyond_table++;
    pthread_mutex_unlock(&state->lock);
}
static void trap_request_run(void *ctx) { beyond(ctx); }
static uint32_t trap_storage_cas(void *ctx, uint32_t area, qbm_wc_str key, qbm_wc_str expected,
                                 qbm_wc_str value, uint8_t *out_swapped) {
    (void)area, (void)key, (void)expected, (void)value, (void)out_swapped;
    beyond(ctx);
    return QBM_WC_STATUS_HOST_ERROR;
}
static uint32_t trap_secret_get(void *ctx, qbm_wc_str key, uint8_t *out_found, const qbm_wc_sink *out) {
    (void)key, (void)out_found, (void)out;
    beyond(ctx);
    return QBM_WC_STATUS_HOST_ERROR;
}
static uint32_t trap_secret_set(void *ctx, qbm_wc_str key, qbm_wc_str value) {
    (void)key, (void)value;
    beyond(ctx);
    return QBM_WC_STATUS_HOST_ERROR;
}
static uint32_t trap_record(void *ctx, qbm_wc_str request, const qbm_wc_sink *out) {
    (void)request, (void)out;
    beyond(ctx);
    return QBM_WC_STATUS_HOST_ERROR;
}

static qbm_wc_host make_host(struct host_state *state, int abi_1_0) {
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
    /* progress and notify are optional and left NULL on purpose. */
    host.log = ignore_line;
    if (abi_1_0) {
        /* A host compiled against the 1.0 header: its table ends with notify. */
        host.struct_size = offsetof(qbm_wc_host, notify) + sizeof host.notify;
        host.abi_minor = 0;
        host.request_run = trap_request_run;
        host.storage_cas = trap_storage_cas;
        host.secret_get = trap_secret_get;
        host.secret_set = trap_secret_set;
        host.stock_changes = trap_record;
    } else {
        host.request_run = request_run;
        host.storage_cas = storage_cas;
        host.secret_get = secret_get;
        host.secret_set = secret_set;
        /* stock_changes is optional and left NULL. */
    }
    return host;
}

static void init_state(struct host_state *state) {
    memset(state, 0, sizeof *state);
    pthread_mutex_init(&state->lock, NULL);
    pthread_cond_init(&state->run_requested, NULL);
    state->may_administer = 1;
}

static void free_state(struct host_state *state) {
    for (int i = 0; i < state->count; i++) {
        free(state->values[i].key);
        free(state->values[i].value);
    }
    for (int i = 0; i < state->secret_count; i++) {
        free(state->secrets[i].key);
        free(state->secrets[i].value);
    }
    pthread_cond_destroy(&state->run_requested);
    pthread_mutex_destroy(&state->lock);
}

/* Whether any stored value (not secret) contains `needle`. */
static int stored_anywhere(struct host_state *state, const char *needle) {
    int found = 0;
    pthread_mutex_lock(&state->lock);
    for (int i = 0; i < state->count; i++) {
        if (strstr(state->values[i].value, needle) != NULL) {
            found = 1;
        }
    }
    pthread_mutex_unlock(&state->lock);
    return found;
}

/* ---- helpers on the plugin side ---- */

static const char *message(const qbm_wc_api *api) {
    static _Thread_local char buf[2048];
    size_t len = 0;
    (void)PLUGIN(api->last_error(buf, sizeof buf, &len));
    return buf;
}

static int contains(const qbm_wc_buffer *buf, const char *needle) {
    return buf->ptr != NULL && strstr(buf->ptr, needle) != NULL;
}

struct library {
    void *handle;
    qbm_wc_entry_fn entry;
    qbm_wc_last_error_fn last_error;
};

static int open_library(const char *path, struct library *lib) {
    lib->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib->handle == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 0;
    }
    *(void **)(&lib->entry) = dlsym(lib->handle, "qbm_wc_entry");
    *(void **)(&lib->last_error) = dlsym(lib->handle, "qbm_wc_last_error");
    CHECK(lib->entry != NULL && lib->last_error != NULL, "both exported symbols are found");
    return lib->entry != NULL && lib->last_error != NULL;
}

/* ---- the job thread: what QBM's background thread does ---- */

struct job_thread {
    const qbm_wc_api *api;
    qbm_wc_plugin *plugin;
    struct host_state *state;
    pthread_t id;
    int runs;
    int reports;
    int busy;
    int woken;
};

/* Milliseconds from now as an absolute time for pthread_cond_timedwait. */
static struct timespec in_ms(uint64_t ms) {
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_sec += (time_t)(ms / 1000);
    at.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec += 1;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

static void *run_jobs(void *arg) {
    struct job_thread *job = arg;
    for (int i = 0; i < 6; i++) {
        qbm_wc_buffer report = {NULL, 0};
        uint64_t next_due_ms = 0;
        qbm_wc_status status = PLUGIN(job->api->run_due_jobs(job->plugin, &next_due_ms, &report));
        job->runs++;
        if (status == QBM_WC_STATUS_OK && contains(&report, "qbm.wc.jobs-report/1") &&
            next_due_ms <= QBM_WC_MAX_JOB_WAIT_MS) {
            job->reports++;
        } else if (status == QBM_WC_STATUS_BUSY) {
            job->busy++;
        }
        PLUGIN_VOID(job->api->buffer_free(&report));
        /* Wait as the plugin asked, capped small here, or until request_run. */
        uint64_t wait = next_due_ms < 20 ? next_due_ms : 20;
        struct timespec until = in_ms(wait);
        pthread_mutex_lock(&job->state->lock);
        while (!job->state->run_pending) {
            if (pthread_cond_timedwait(&job->state->run_requested, &job->state->lock, &until) == ETIMEDOUT) {
                break;
            }
        }
        if (job->state->run_pending) {
            job->state->run_pending = 0;
            job->woken++;
        }
        pthread_mutex_unlock(&job->state->lock);
    }
    return NULL;
}

/* ---- the checks every host version passes ---- */

static const char *GOOD = "{\"values\":{\"enabled\":true,\"store_url\":\"https://shop.example.test\","
                          "\"consumer_key\":\"ck_0123456789abcdef0123456789abcdef01234567\","
                          "\"consumer_secret\":\"cs_fedcba9876543210fedcba9876543210fedcba98\"}}";

static void common_checks(const qbm_wc_api *api, struct host_state *state, qbm_wc_plugin *plugin) {
    qbm_wc_buffer buf = {NULL, 0};
    qbm_wc_status status;

    /* Menu and option schema. */
    CHECK(PLUGIN(api->describe_menu(plugin, &buf)) == QBM_WC_STATUS_OK && contains(&buf, "\"visible\":false"),
          "the menu is hidden while the integration is off");
    PLUGIN_VOID(api->buffer_free(&buf));
    CHECK(buf.ptr == NULL && buf.len == 0, "buffer_free zeroes the buffer");
    CHECK(PLUGIN(api->option_schema(plugin, &buf)) == QBM_WC_STATUS_OK && contains(&buf, "consumer_secret") &&
              contains(&buf, "Enable stock sync on this client") && contains(&buf, "Last order sync"),
          "the option schema lists the options");
    PLUGIN_VOID(api->buffer_free(&buf));

    /* Saving options: valid values are saved, invalid ones refused field by field. */
    CHECK(PLUGIN(api->options_save(plugin, view(GOOD), &buf)) == QBM_WC_STATUS_OK && contains(&buf, "\"saved\":true"),
          "valid options are saved");
    PLUGIN_VOID(api->buffer_free(&buf));
    CHECK(PLUGIN(api->describe_menu(plugin, &buf)) == QBM_WC_STATUS_OK && contains(&buf, "\"Items\"") &&
              contains(&buf, "\"Logs\""),
          "the menu appears once the integration is on");
    PLUGIN_VOID(api->buffer_free(&buf));
    CHECK(PLUGIN(api->options_get(plugin, &buf)) == QBM_WC_STATUS_OK && !contains(&buf, "cs_fedcba"),
          "options_get never returns the secret");
    PLUGIN_VOID(api->buffer_free(&buf));
    const char *bad = "{\"values\":{\"store_url\":\"http://shop.example.test\",\"stock_sync_interval_minutes\":0}}";
    status = PLUGIN(api->options_save(plugin, view(bad), &buf));
    CHECK(status == QBM_WC_STATUS_INVALID_OPTIONS, "invalid options are refused");
    CHECK(contains(&buf, "\"field\":\"store_url\"") && contains(&buf, "\"field\":\"stock_sync_interval_minutes\""),
          "the report names each bad field");
    PLUGIN_VOID(api->buffer_free(&buf));
    state->may_administer = 0;
    CHECK(PLUGIN(api->options_save(plugin, view(GOOD), &buf)) == QBM_WC_STATUS_PERMISSION_DENIED,
          "a user who may not change Options is refused");
    state->may_administer = 1;

    /* Actions and bad input. */
    status = PLUGIN(api->invoke_action(plugin, view("{\"action\":\"no.such.action\",\"call_id\":1}"), &buf));
    CHECK(status == QBM_WC_STATUS_UNKNOWN_ACTION && strstr(message(api), "no.such.action") != NULL,
          "an unknown action is refused by name");
    CHECK(PLUGIN(api->invoke_action(plugin, view("{not json"), &buf)) == QBM_WC_STATUS_INVALID_JSON, "broken JSON");
    qbm_wc_str invalid = {"\xff\xfe", 2};
    CHECK(PLUGIN(api->invoke_action(plugin, invalid, &buf)) == QBM_WC_STATUS_INVALID_UTF8, "invalid UTF-8");
    qbm_wc_str dangling = {NULL, 4};
    CHECK(PLUGIN(api->describe_screen(plugin, dangling, &buf)) == QBM_WC_STATUS_NULL_ARGUMENT,
          "NULL string with a length");
    CHECK(PLUGIN(api->describe_screen(plugin, view("nowhere"), &buf)) == QBM_WC_STATUS_UNKNOWN_SCREEN,
          "an unknown screen");
    CHECK(PLUGIN(api->describe_menu(NULL, &buf)) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL plugin");
    CHECK(PLUGIN(api->describe_menu(plugin, NULL)) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL out");
    CHECK(buf.ptr == NULL, "nothing is written on failure");
    CHECK(PLUGIN(api->describe_screen(plugin, view("items"), &buf)) == QBM_WC_STATUS_OK &&
              contains(&buf, "Create / Update"),
          "the Items screen describes its buttons");
    PLUGIN_VOID(api->buffer_free(&buf));

}

/* ---- the modes ---- */

static int full_host(const struct library *lib, int abi_1_0) {
    /* Negotiation: a newer major version is refused with a message, NULL out is refused. */
    const qbm_wc_api *api = NULL;
    qbm_wc_status status = PLUGIN(lib->entry(QBM_WC_ABI_MAJOR + 1, 0, &api));
    char text[512];
    size_t len = 0;
    (void)PLUGIN(lib->last_error(text, sizeof text, &len));
    CHECK(status == QBM_WC_STATUS_UNSUPPORTED_ABI_VERSION && api == NULL, "a newer ABI major is refused");
    CHECK(len > 0 && strstr(text, "ABI") != NULL, "the refusal explains itself");
    CHECK(PLUGIN(lib->entry(QBM_WC_ABI_MAJOR, 0, NULL)) == QBM_WC_STATUS_NULL_ARGUMENT, "NULL out_entry is refused");
    status = PLUGIN(lib->entry(QBM_WC_ABI_MAJOR, abi_1_0 ? 0 : QBM_WC_ABI_MINOR, &api));
    CHECK(status == QBM_WC_STATUS_OK && api != NULL, "the host's own version is accepted");
    if (api == NULL) {
        return 1;
    }
    CHECK(api->struct_size >= sizeof(qbm_wc_api), "the table is at least as large as this header's");
    CHECK(strcmp(api->plugin_id, "qbm.woocommerce") == 0, "the plugin id");
    CHECK(strcmp(api->status_name(QBM_WC_STATUS_PANIC), "QBM_WC_STATUS_PANIC") == 0, "status names");
    CHECK(PLUGIN(api->init()) == QBM_WC_STATUS_OK, "init");

    /* create: bad tables are refused, a good one accepted. */
    struct host_state state;
    init_state(&state);
    qbm_wc_host host = make_host(&state, abi_1_0);
    qbm_wc_plugin *plugin = NULL;
    CHECK(PLUGIN(api->create(NULL, &plugin)) == QBM_WC_STATUS_NULL_ARGUMENT, "create refuses a NULL host");
    qbm_wc_host broken = host;
    broken.items_query = NULL;
    CHECK(PLUGIN(api->create(&broken, &plugin)) == QBM_WC_STATUS_HOST_CALLBACK_MISSING,
          "create names a missing callback");
    CHECK(strstr(message(api), "items_query") != NULL, "the message names items_query");
    broken = host;
    broken.struct_size = 8;
    CHECK(PLUGIN(api->create(&broken, &plugin)) == QBM_WC_STATUS_STRUCT_TOO_SMALL, "create refuses a truncated table");
    {
        /* The plugin copies the table: this one is gone (and scribbled over) once create returns. */
        qbm_wc_host *temporary = malloc(sizeof *temporary);
        *temporary = host;
        CHECK(PLUGIN(api->create(temporary, &plugin)) == QBM_WC_STATUS_OK && plugin != NULL, "create");
        memset(temporary, 0xA5, sizeof *temporary);
        free(temporary);
    }

    common_checks(api, &state, plugin);

    qbm_wc_buffer buf = {NULL, 0};
    if (abi_1_0) {
        CHECK(state.beyond_table == 0, "nothing after notify in a 1.0 table was called");
        CHECK(PLUGIN(api->options_get(plugin, &buf)) == QBM_WC_STATUS_OK && contains(&buf, "\"protected\":false"),
              "without protected storage the secret is kept in the company options, and said so");
        PLUGIN_VOID(api->buffer_free(&buf));
    } else {
        CHECK(state.cas_calls > 0, "state is written with compare-and-set");
        CHECK(state.secret_count == 1 && strcmp(state.secrets[0].value,
                                                "cs_fedcba9876543210fedcba9876543210fedcba98") == 0,
              "the secret is kept in protected storage");
        CHECK(!stored_anywhere(&state, "cs_fedcba"), "the secret is in no stored value");
        CHECK(PLUGIN(api->options_get(plugin, &buf)) == QBM_WC_STATUS_OK && contains(&buf, "\"protected\":true"),
              "options_get says the secret is protected");
        PLUGIN_VOID(api->buffer_free(&buf));

        /* The jobs entry (ABI 1.1 plugin functions). */
        uint64_t next_due_ms = 0;
        CHECK(PLUGIN(api->run_due_jobs(plugin, &next_due_ms, &buf)) == QBM_WC_STATUS_OK &&
                  contains(&buf, "\"order_polling\"") && next_due_ms <= QBM_WC_MAX_JOB_WAIT_MS,
              "run_due_jobs reports the jobs and when to call again");
        PLUGIN_VOID(api->buffer_free(&buf));
        CHECK(PLUGIN(api->run_due_jobs(plugin, NULL, &buf)) == QBM_WC_STATUS_NULL_ARGUMENT,
              "run_due_jobs refuses a NULL out_next_due_ms");
        CHECK(PLUGIN(api->stock_changed(plugin, view("[7]"))) == QBM_WC_STATUS_INVALID_JSON,
              "stock_changed refuses a document that is not {\"item_ids\": [...]}");

        /* A job thread runs the jobs while this (main) thread keeps making calls. */
        pthread_mutex_lock(&state.lock);
        state.thread_count = 0;
        state.outside_calls = 0;
        state.callbacks = 0;
        pthread_mutex_unlock(&state.lock);
        struct job_thread job = {api, plugin, &state, pthread_self(), 0, 0, 0, 0};
        CHECK(pthread_create(&job.id, NULL, run_jobs, &job) == 0, "the job thread starts");
        for (int i = 0; i < 20; i++) {
            (void)PLUGIN(api->describe_menu(plugin, &buf));
            PLUGIN_VOID(api->buffer_free(&buf));
            (void)PLUGIN(api->options_get(plugin, &buf));
            PLUGIN_VOID(api->buffer_free(&buf));
            (void)PLUGIN(api->invoke_action(plugin, view("{\"action\":\"logs.refresh\",\"call_id\":7}"), &buf));
            PLUGIN_VOID(api->buffer_free(&buf));
            if (i % 5 == 0) {
                CHECK(PLUGIN(api->stock_changed(plugin, view("{\"item_ids\":[\"7\",\"12\"]}"))) == QBM_WC_STATUS_OK,
                      "stock_changed");
            }
        }
        pthread_join(job.id, NULL);
        CHECK(job.runs == 6 && job.reports + job.busy == 6 && job.reports > 0,
              "every run_due_jobs call answered with a jobs report");
        pthread_mutex_lock(&state.lock);
        int from_elsewhere = 0;
        int job_seen = 0;
        int main_seen = 0;
        for (int i = 0; i < state.thread_count; i++) {
            if (pthread_equal(state.threads[i], job.id)) {
                job_seen = 1;
            } else if (pthread_equal(state.threads[i], pthread_self())) {
                main_seen = 1;
            } else {
                from_elsewhere++;
            }
        }
        printf("     %d callbacks on %d thread(s); %d run request(s), %d wake-up(s)\n", state.callbacks,
               state.thread_count, state.run_requests, job.woken);
        CHECK(state.outside_calls == 0, "every callback arrived on a thread inside a plugin call");
        CHECK(from_elsewhere == 0, "no callback came from a thread other than the job thread and the main thread");
        CHECK(job_seen && main_seen, "callbacks arrived on both the job thread and the main thread");
        CHECK(state.run_requests > 0, "stock_changed asked for an early run (request_run)");
        pthread_mutex_unlock(&state.lock);
    }

    PLUGIN_VOID(api->destroy(plugin));
    PLUGIN_VOID(api->destroy(NULL));
    PLUGIN_VOID(api->deinit());
    free_state(&state);
    return 0;
}

/* Whether `path` (resolved) is mapped into this process. */
static int mapped(const char *path) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        return -1;
    }
    char line[PATH_MAX + 256];
    int found = 0;
    while (fgets(line, sizeof line, maps) != NULL) {
        if (strstr(line, path) != NULL) {
            found = 1;
        }
    }
    fclose(maps);
    return found;
}

/* A QBM worker thread: calls into the plugin, then waits until the main thread has closed the
 * library before it ends, so its end-of-thread cleanup runs after dlclose. */
struct worker {
    const qbm_wc_api *api;
    qbm_wc_plugin *plugin;
    int ok;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int called;
    int closed;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    qbm_wc_buffer buf = {NULL, 0};
    w->ok = PLUGIN(w->api->invoke_action(w->plugin, view("{\"action\":\"logs.refresh\"}"), &buf)) ==
            QBM_WC_STATUS_OK;
    PLUGIN_VOID(w->api->buffer_free(&buf));
    w->ok = w->ok && PLUGIN(w->api->invoke_action(w->plugin, view("{not json"), &buf)) ==
                         QBM_WC_STATUS_INVALID_JSON;
    pthread_mutex_lock(&w->lock);
    w->called = 1;
    pthread_cond_broadcast(&w->changed);
    while (!w->closed) {
        pthread_cond_wait(&w->changed, &w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* One load of the library: init, create, calls from this thread and from a worker thread,
 * destroy, deinit, dlclose; the worker ends after the dlclose. */
static int load_use_close(const char *path, const char *resolved, int round) {
    struct library lib;
    if (!open_library(path, &lib)) {
        return 1;
    }
    CHECK(mapped(resolved) == 1, "the library is mapped after dlopen");
    const qbm_wc_api *api = NULL;
    CHECK(PLUGIN(lib.entry(QBM_WC_ABI_MAJOR, QBM_WC_ABI_MINOR, &api)) == QBM_WC_STATUS_OK && api != NULL,
          "negotiated");
    if (api == NULL) {
        return 1;
    }
    CHECK(PLUGIN(api->init()) == QBM_WC_STATUS_OK, "init");
    struct host_state state;
    init_state(&state);
    qbm_wc_host host = make_host(&state, 0);
    qbm_wc_plugin *plugin = NULL;
    CHECK(PLUGIN(api->create(&host, &plugin)) == QBM_WC_STATUS_OK, "create");
    if (plugin == NULL) {
        return 1;
    }
    qbm_wc_buffer buf = {NULL, 0};
    CHECK(PLUGIN(api->options_save(plugin, view(GOOD), &buf)) == QBM_WC_STATUS_OK, "a call that succeeds");
    PLUGIN_VOID(api->buffer_free(&buf));
    CHECK(PLUGIN(api->invoke_action(plugin, view("{\"action\":\"no.such.action\"}"), &buf)) ==
              QBM_WC_STATUS_UNKNOWN_ACTION,
          "a call that fails: an unknown action");
    CHECK(strstr(message(api), "no.such.action") != NULL, "its message is kept for this thread");

    struct worker w = {api, plugin, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, worker_main, &w) == 0, "a QBM worker thread starts");
    pthread_mutex_lock(&w.lock);
    while (!w.called) {
        pthread_cond_wait(&w.changed, &w.lock);
    }
    pthread_mutex_unlock(&w.lock);
    CHECK(w.ok, "the worker thread's calls were answered");

    PLUGIN_VOID(api->destroy(plugin));
    PLUGIN_VOID(api->deinit());
    CHECK(dlclose(lib.handle) == 0, "dlclose");
    /* Nothing of the plugin is left behind on this thread or the worker: the library goes. */
    CHECK(mapped(resolved) == 0, "the library is gone from the process after dlclose");
    pthread_mutex_lock(&w.lock);
    w.closed = 1;
    pthread_cond_broadcast(&w.changed);
    pthread_mutex_unlock(&w.lock);
    CHECK(pthread_join(thread, NULL) == 0, "the worker thread ends after dlclose without a crash");
    free_state(&state);
    printf("info round %d done\n", round);
    return 0;
}

static int unload(const char *path) {
    char resolved[PATH_MAX];
    if (realpath(path, resolved) == NULL) {
        fprintf(stderr, "realpath: %s\n", strerror(errno));
        return 2;
    }
    /* QBM closes a company and opens another: the library is loaded again each time. */
    for (int round = 1; round <= 3; round++) {
        int code = load_use_close(path, resolved, round);
        if (code != 0) {
            return code;
        }
    }
    CHECK(1, "the library was loaded, used from two threads and closed three times");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s <plugin library> [v1.0|unload]\n", argv[0]);
        return 2;
    }
    const char *mode = argc == 3 ? argv[2] : "";
    if (strcmp(mode, "unload") == 0) {
        int code = unload(argv[1]);
        printf("%s: %d failure(s)\n", failures == 0 && code == 0 ? "PASS" : "FAIL", failures);
        return failures == 0 && code == 0 ? 0 : 1;
    }
    int abi_1_0 = strcmp(mode, "v1.0") == 0;
    if (!abi_1_0 && mode[0] != '\0') {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    struct library lib;
    if (!open_library(argv[1], &lib)) {
        return 1;
    }
    int code = full_host(&lib, abi_1_0);
    dlclose(lib.handle);
    printf("%s: %d failure(s)\n", failures == 0 && code == 0 ? "PASS" : "FAIL", failures);
    return failures == 0 && code == 0 ? 0 : 1;
}
