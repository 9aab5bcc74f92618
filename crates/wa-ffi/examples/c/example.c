/*
 * wa-ffi example: start a session, print its QR, wait until the phone links
 * it, send a message and print the reply.
 *
 * Build (from the workspace root, after `cargo build -p wa-ffi`):
 *   gcc -Icrates/wa-ffi/include crates/wa-ffi/examples/c/example.c \
 *       -Ltarget/debug -lwa_ffi -o wa-example
 *   LD_LIBRARY_PATH=target/debug ./wa-example
 *
 * Environment:
 *   WA_DEMO=1              an embedded offline network (a virtual phone links
 *                          the session, virtual contacts answer); or
 *   WA_WEBSOCKET_URL, WA_TRUSTED_ROOT_KEY, WA_MEDIA_CA_PEM
 *                          a wa-sim to connect to (its GET /sim/info); unset:
 *                          WhatsApp itself (scan the QR with your phone)
 *   WA_SESSIONS_PATH       where keys are stored (default ./wa-example-data;
 *                          with WA_DEMO, a temporary folder)
 *   WA_CONTACT             who to write to (default 15550000001@c.us)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa_ffi.h"

static int fail(const char *what, WaStatus st) {
    fprintf(stderr, "%s failed: %s: %s\n", what, wa_status_name(st), wa_last_error());
    return 1;
}

/* Appends `"KEY": "value"` to a JSON object being built (values here never
 * contain quotes or backslashes). */
static void add(char *json, size_t cap, const char *key, const char *value) {
    if (value == NULL || *value == '\0') return;
    size_t len = strlen(json);
    snprintf(json + len, cap - len, "%s\"%s\": \"%s\"", len > 1 ? ", " : "", key, value);
}

/* The string at `pointer` in `json`, or NULL; free with wa_string_free. */
static char *get(const char *json, const char *pointer) {
    char *value = NULL;
    if (wa_json_get(json, pointer, &value) != WA_STATUS_OK) return NULL;
    return value;
}

int main(void) {
    const char *contact = getenv("WA_CONTACT") ? getenv("WA_CONTACT") : "15550000001@c.us";
    const char *path = getenv("WA_SESSIONS_PATH") ? getenv("WA_SESSIONS_PATH") : "./wa-example-data";

    char config[4096] = "{";
    /* Demo mode keeps its data in a temporary folder unless told otherwise
     * (its network lives in memory, so stored keys would be useless). */
    if (!getenv("WA_DEMO") || getenv("WA_SESSIONS_PATH")) add(config, sizeof config, "SESSIONS_PATH", path);
    add(config, sizeof config, "WA_WEBSOCKET_URL", getenv("WA_WEBSOCKET_URL"));
    add(config, sizeof config, "WA_TRUSTED_ROOT_KEY", getenv("WA_TRUSTED_ROOT_KEY"));
    add(config, sizeof config, "WA_MEDIA_CA_PEM", getenv("WA_MEDIA_CA_PEM"));
    if (getenv("WA_DEMO")) strncat(config, strlen(config) > 1 ? ", \"demo\": true" : "\"demo\": true", sizeof config - strlen(config) - 1);
    strncat(config, "}", sizeof config - strlen(config) - 1);

    printf("wa-ffi %s\n", wa_version());
    WaGateway *gw = NULL;
    WaStatus st = wa_gateway_new(config, &gw);
    if (st != WA_STATUS_OK) return fail("wa_gateway_new", st);

    WaSession *session = NULL;
    st = wa_session_new(gw, "c-example", &session);
    if (st != WA_STATUS_OK) return fail("wa_session_new", st);
    st = wa_session_start(session);
    if (st != WA_STATUS_OK && st != WA_STATUS_ALREADY_EXISTS) return fail("wa_session_start", st);

    int exit_code = 1;
    for (int waited = 0; waited < 120; ) {
        char *event = NULL;
        st = wa_gateway_poll_event(gw, 1000, &event);
        if (st == WA_STATUS_TIMEOUT) { waited++; continue; }
        if (st != WA_STATUS_OK) { fail("wa_gateway_poll_event", st); break; }

        char *type = get(event, "/dataType");
        if (type && strcmp(type, "qr") == 0) {
            char *qr = get(event, "/data/qr");
            char *art = NULL;
            if (qr && wa_qr_terminal(qr, &art) == WA_STATUS_OK) printf("%s\n", art);
            printf("QR: %s\n", qr ? qr : "?");
            fflush(stdout);
            wa_string_free(art);
            wa_string_free(qr);
        } else if (type && strcmp(type, "ready") == 0) {
            printf("READY\n");
            char *message = NULL;
            st = wa_session_send_message(session, contact, "string", "\"hello from C\"", NULL, &message);
            if (st != WA_STATUS_OK) { fail("wa_session_send_message", st); wa_string_free(type); wa_string_free(event); break; }
            char *id = get(message, "/id/_serialized");
            printf("SENT: %s\n", id ? id : "?");
            fflush(stdout);
            wa_string_free(id);
            wa_string_free(message);
        } else if (type && strcmp(type, "message") == 0) {
            char *from = get(event, "/data/message/from");
            char *body = get(event, "/data/message/body");
            if (from && strcmp(from, contact) == 0) {
                printf("REPLY: %s\n", body ? body : "");
                fflush(stdout);
                exit_code = 0;
            }
            wa_string_free(from);
            wa_string_free(body);
        }
        wa_string_free(type);
        wa_string_free(event);
        if (exit_code == 0) break;
    }

    wa_session_free(session);
    wa_gateway_free(gw);
    return exit_code;
}
