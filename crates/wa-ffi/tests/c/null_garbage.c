/*
 * Calls every exported function with null pointers and garbage inputs and
 * checks that each answers with the right status code (and, for
 * out-parameters, leaves them null), never a crash. Built by
 * tests/null_garbage.rs, under AddressSanitizer and UBSan when gcc has them.
 *
 * argv[1]: a scratch directory for the gateway's data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa_ffi.h"

static int failures = 0;
static int checks = 0;

#define EXPECT(call, want)                                                         \
    do {                                                                           \
        WaStatus got_ = (call);                                                    \
        checks++;                                                                  \
        if (got_ != (want)) {                                                      \
            fprintf(stderr, "line %d: %s -> %s, want %s (%s)\n", __LINE__, #call,  \
                    wa_status_name(got_), wa_status_name(want), wa_last_error());  \
            failures++;                                                            \
        } else if (got_ != WA_STATUS_OK && wa_last_error()[0] == '\0') {           \
            fprintf(stderr, "line %d: %s: no error message\n", __LINE__, #call);   \
            failures++;                                                            \
        }                                                                          \
    } while (0)

#define EXPECT_NULL(p)                                                             \
    do {                                                                           \
        checks++;                                                                  \
        if ((p) != NULL) {                                                         \
            fprintf(stderr, "line %d: %s is not null\n", __LINE__, #p);            \
            failures++;                                                            \
        }                                                                          \
    } while (0)

/* A pointer value the library must overwrite with NULL on failure. */
#define POISON ((void *)0x1)

static const char BAD_UTF8[] = {'\xff', '\xfe', 'a', '\0'};

static void on_event(void *user_data, const char *event) {
    (void)event;
    (*(int *)user_data)++;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char config[2048];
    snprintf(config, sizeof config,
             "{\"SESSIONS_PATH\": \"%s\", \"WA_WEBSOCKET_URL\": \"ws://127.0.0.1:9/ws/chat\"}",
             argv[1]);

    /* --- strings, names, helpers (no gateway) --- */
    wa_string_free(NULL);
    wa_gateway_free(NULL);
    wa_session_free(NULL);
    checks++;
    if (wa_last_error() == NULL || wa_version() == NULL || wa_version()[0] == '\0') failures++;
    checks++;
    if (strcmp(wa_status_name(-7), "WA_STATUS_UNKNOWN") != 0) failures++;
    checks++;
    if (strcmp(wa_status_name(1 << 30), "WA_STATUS_UNKNOWN") != 0) failures++;
    checks++;
    if (strcmp(wa_status_name(WA_STATUS_NOT_FOUND), "WA_STATUS_NOT_FOUND") != 0) failures++;

    char *s = POISON;
    EXPECT(wa_json_get(NULL, "/a", &s), WA_STATUS_NULL_POINTER);
    EXPECT_NULL(s);
    EXPECT(wa_json_get("{}", NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_json_get("{}", "/a", NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_json_get(BAD_UTF8, "/a", &s), WA_STATUS_INVALID_UTF8);
    EXPECT(wa_json_get("{\"a\":", "/a", &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_json_get("{\"a\": 1}", "/b", &s), WA_STATUS_NOT_FOUND);
    EXPECT(wa_json_get("{\"a\": 1}", "not-a-pointer", &s), WA_STATUS_NOT_FOUND);
    EXPECT(wa_json_get("{\"a\": {\"b\": [1]}}", "/a", &s), WA_STATUS_OK);
    checks++;
    if (s == NULL || strcmp(s, "{\"b\":[1]}") != 0) failures++;
    wa_string_free(s);
    EXPECT(wa_qr_terminal(NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_qr_terminal("x", NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_qr_terminal(BAD_UTF8, &s), WA_STATUS_INVALID_UTF8);
    size_t big_len = 1 << 20;
    char *big = malloc(big_len + 1);
    memset(big, 'a', big_len);
    big[big_len] = '\0';
    EXPECT(wa_qr_terminal(big, &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT_NULL(s);

    /* --- gateway creation --- */
    WaGateway *gw = POISON;
    EXPECT(wa_gateway_new(config, NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_new(BAD_UTF8, &gw), WA_STATUS_INVALID_UTF8);
    EXPECT_NULL(gw);
    EXPECT(wa_gateway_new("{", &gw), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_new("[1, 2]", &gw), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_new("{\"NO_SUCH_SETTING\": 1}", &gw), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_new("{\"MAX_ATTACHMENT_SIZE\": \"lots\"}", &gw), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_new("{\"PORT\": {\"x\": 1}}", &gw), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_new("{\"WA_TRUSTED_ROOT_KEY\": \"zz\"}", &gw), WA_STATUS_INVALID_ARGUMENT);
    EXPECT_NULL(gw);
    EXPECT(wa_gateway_new(config, &gw), WA_STATUS_OK);
    if (gw == NULL) {
        fprintf(stderr, "cannot create a gateway: %s\n", wa_last_error());
        return 1;
    }

    /* --- generic requests --- */
    int status = -1;
    EXPECT(wa_gateway_request(NULL, "GET", "/ping", NULL, &status, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_request(gw, NULL, "/ping", NULL, &status, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_request(gw, "GET", NULL, NULL, &status, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_request(gw, "GET", "/ping", NULL, NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_request(gw, "GET", "/ping", NULL, &status, NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_request(gw, "GE T", "/ping", NULL, &status, &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_request(gw, "GET", "ping", NULL, &status, &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_request(gw, "GET", "/p i n g", NULL, &status, &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_request(gw, BAD_UTF8, "/ping", NULL, &status, &s), WA_STATUS_INVALID_UTF8);
    EXPECT(wa_gateway_request(gw, "POST", "/client/sendMessage/x", BAD_UTF8, &status, &s), WA_STATUS_INVALID_UTF8);
    EXPECT_NULL(s);
    EXPECT(wa_gateway_request(gw, "GET", "/ping", NULL, &status, &s), WA_STATUS_OK);
    checks++;
    if (status != 200 || s == NULL || strstr(s, "pong") == NULL) failures++;
    wa_string_free(s);
    EXPECT(wa_gateway_request(gw, "GET", "/no/such/route", NULL, &status, &s), WA_STATUS_OK);
    checks++;
    if (status != 404 || strstr(s, "\"success\":false") == NULL) failures++;
    wa_string_free(s);
    EXPECT(wa_gateway_request(gw, "POST", "/client/sendMessage/x", "{garbage", &status, &s), WA_STATUS_OK);
    checks++;
    if (status < 400 || status >= 500) failures++;
    wa_string_free(s);
    EXPECT(wa_gateway_request(gw, "POST", "/client/sendMessage/x", big, &status, &s), WA_STATUS_OK);
    checks++;
    if (status < 400 || status >= 500) failures++;
    wa_string_free(s);

    /* --- events --- */
    EXPECT(wa_gateway_poll_event(NULL, 0, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_poll_event(gw, 0, NULL), WA_STATUS_NULL_POINTER);
    s = POISON;
    EXPECT(wa_gateway_poll_event(gw, 10, &s), WA_STATUS_TIMEOUT);
    EXPECT_NULL(s);
    int seen = 0;
    EXPECT(wa_gateway_set_event_callback(NULL, on_event, &seen), WA_STATUS_NULL_POINTER);
    EXPECT(wa_gateway_set_event_callback(gw, on_event, &seen), WA_STATUS_OK);
    EXPECT(wa_gateway_poll_event(gw, 0, &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_gateway_set_event_callback(gw, NULL, NULL), WA_STATUS_OK);

    /* --- sessions --- */
    WaSession *ses = POISON;
    EXPECT(wa_session_new(NULL, "a", &ses), WA_STATUS_NULL_POINTER);
    EXPECT_NULL(ses);
    EXPECT(wa_session_new(gw, NULL, &ses), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_new(gw, "a", NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_new(gw, BAD_UTF8, &ses), WA_STATUS_INVALID_UTF8);
    EXPECT(wa_session_new(gw, "", &ses), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_session_new(gw, "../../etc", &ses), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_session_new(gw, "a b", &ses), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_session_new(gw, big, &ses), WA_STATUS_INVALID_ARGUMENT);
    EXPECT_NULL(ses);

    EXPECT(wa_session_start(NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_stop(NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_logout(NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_status(NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_qr(NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_request_pairing_code(NULL, "15551234567", &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_send_message(NULL, "1@c.us", "string", "\"x\"", NULL, &s), WA_STATUS_NULL_POINTER);

    EXPECT(wa_session_new(gw, "garbage-1", &ses), WA_STATUS_OK);
    EXPECT(wa_session_status(ses, NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_qr(ses, NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_request_pairing_code(ses, NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_request_pairing_code(ses, "1", NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_request_pairing_code(ses, BAD_UTF8, &s), WA_STATUS_INVALID_UTF8);
    EXPECT(wa_session_send_message(ses, NULL, "string", "\"x\"", NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_send_message(ses, "1@c.us", NULL, "\"x\"", NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_send_message(ses, "1@c.us", "string", NULL, NULL, &s), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_send_message(ses, "1@c.us", "string", "\"x\"", NULL, NULL), WA_STATUS_NULL_POINTER);
    EXPECT(wa_session_send_message(ses, BAD_UTF8, "string", "\"x\"", NULL, &s), WA_STATUS_INVALID_UTF8);
    EXPECT(wa_session_send_message(ses, "1@c.us", "string", "\"x\"", BAD_UTF8, &s), WA_STATUS_INVALID_UTF8);
    EXPECT(wa_session_send_message(ses, "1@c.us", "string", "not json", NULL, &s), WA_STATUS_INVALID_ARGUMENT);
    EXPECT(wa_session_send_message(ses, "1@c.us", "string", "\"x\"", "{bad", &s), WA_STATUS_INVALID_ARGUMENT);
    /* Not started: nothing to send with, no QR, nothing to stop. */
    EXPECT(wa_session_send_message(ses, "1@c.us", "string", "\"x\"", NULL, &s), WA_STATUS_NOT_FOUND);
    EXPECT_NULL(s);
    EXPECT(wa_session_qr(ses, &s), WA_STATUS_NOT_FOUND);
    EXPECT(wa_session_stop(ses), WA_STATUS_NOT_FOUND);
    EXPECT(wa_session_status(ses, &s), WA_STATUS_OK);
    wa_string_free(s);

    /* Started against a dead server: it exists but is not connected. */
    EXPECT(wa_session_start(ses), WA_STATUS_OK);
    EXPECT(wa_session_start(ses), WA_STATUS_ALREADY_EXISTS);
    EXPECT(wa_session_send_message(ses, "1@c.us", "Location", "{\"latitude\": \"x\"}", NULL, &s), WA_STATUS_NOT_CONNECTED);
    EXPECT(wa_session_stop(ses), WA_STATUS_OK);
    EXPECT(wa_session_logout(ses), WA_STATUS_OK);

    /* --- after the gateway is freed, handles answer CLOSED --- */
    wa_gateway_free(gw);
    EXPECT(wa_session_start(ses), WA_STATUS_CLOSED);
    EXPECT(wa_session_status(ses, &s), WA_STATUS_CLOSED);
    EXPECT_NULL(s);
    wa_session_free(ses);
    free(big);

    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
