/*
 * Vigil's timex addon: reads the kernel's NTP state with adjtimex(2), which
 * Node.js has no binding for. Used by src/agent/collectors/timex.ts to expose
 * node_exporter's node_timex_* families.
 *
 * Exports one function, read(), returning a plain object:
 *   { state, errno, offset, freq, maxerror, esterror, status, constant,
 *     precision, tolerance, tick, ppsfreq, jitter, shift, stabil, jitcnt,
 *     calcnt, errcnt, stbcnt, tai }
 * state is adjtimex's return value (TIME_OK .. TIME_ERROR, or -1 with errno
 * set). The raw kernel values are returned unscaled; the collector applies the
 * units (STA_NANO, 16-bit fractional ppm). Only Node-API is used, so one build
 * works across Node.js versions.
 */
#include <errno.h>
#include <string.h>
#include <sys/timex.h>

#define NAPI_VERSION 8
#include <node_api.h>

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, NULL, "timex addon: Node-API call failed: " #call);\
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static napi_status set_number(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_status s = napi_create_double(env, v, &n);
  if (s != napi_ok) return s;
  return napi_set_named_property(env, obj, key, n);
}

static napi_value read_timex(napi_env env, napi_callback_info info) {
  (void)info;
  struct timex tx;
  memset(&tx, 0, sizeof tx);
  tx.modes = 0; /* read only: never adjusts the clock */
  int state = adjtimex(&tx);
  int err = state < 0 ? errno : 0;

  napi_value out;
  CHECK(napi_create_object(env, &out));
  CHECK(set_number(env, out, "state", state));
  CHECK(set_number(env, out, "errno", err));
  if (state < 0) return out;

  CHECK(set_number(env, out, "offset", (double)tx.offset));
  CHECK(set_number(env, out, "freq", (double)tx.freq));
  CHECK(set_number(env, out, "maxerror", (double)tx.maxerror));
  CHECK(set_number(env, out, "esterror", (double)tx.esterror));
  CHECK(set_number(env, out, "status", (double)tx.status));
  CHECK(set_number(env, out, "constant", (double)tx.constant));
  CHECK(set_number(env, out, "precision", (double)tx.precision));
  CHECK(set_number(env, out, "tolerance", (double)tx.tolerance));
  CHECK(set_number(env, out, "tick", (double)tx.tick));
  CHECK(set_number(env, out, "ppsfreq", (double)tx.ppsfreq));
  CHECK(set_number(env, out, "jitter", (double)tx.jitter));
  CHECK(set_number(env, out, "shift", (double)tx.shift));
  CHECK(set_number(env, out, "stabil", (double)tx.stabil));
  CHECK(set_number(env, out, "jitcnt", (double)tx.jitcnt));
  CHECK(set_number(env, out, "calcnt", (double)tx.calcnt));
  CHECK(set_number(env, out, "errcnt", (double)tx.errcnt));
  CHECK(set_number(env, out, "stbcnt", (double)tx.stbcnt));
  CHECK(set_number(env, out, "tai", (double)tx.tai));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "read", NAPI_AUTO_LENGTH, read_timex, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "read", fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
