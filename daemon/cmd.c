/*
 * cmd.c: the commands of the control sockets (get, set, options, ports,
 * start, stop, rotate, mark; get and set also NAME.KEY of an output; status
 * is status.c's), the sockets themselves and their levels.  Main thread: the
 * libuv loop.
 */
#include "recd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cap.h"
#include "cfg.h"
#include "cfgjson.h"
#include "cfgout.h"
#include "ctlsrv.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "writer.h"

static cJSON	*run_request(struct recd *, const struct proto_req *,
		    const struct ctlsrv_peer *, const char **, char *, size_t);

static cJSON *
cmd_options(struct recd *r)
{
	static const char *const types[] = {
		"boolean", "integer", "number", "string", "choice", "list"
	};
	const struct cfg_opt	*o;
	cJSON			*res, *a, *e, *ch;
	size_t			 i, k;

	res = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(res, "options");
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", o->name);
		cJSON_AddStringToObject(e, "type", types[o->type]);
		cJSON_AddItemToObject(e, "default",
		    cfgjson_value(&r->defaults, o));
		if (o->type == CFG_ENUM) {
			ch = cJSON_AddArrayToObject(e, "choices");
			for (k = 0; o->choices[k] != NULL; k++)
				cJSON_AddItemToArray(ch,
				    cJSON_CreateString(o->choices[k]));
		} else if (o->type != CFG_BOOL) {
			cJSON_AddNumberToObject(e, "min", o->min);
			cJSON_AddNumberToObject(e, "max", o->max);
		}
		cJSON_AddBoolToObject(e, "runtime", o->runtime == CFG_RT_YES);
		cJSON_AddBoolToObject(e, "sighup", o->runtime != CFG_RT_NO);
		cJSON_AddStringToObject(e, "help", o->help);
		cJSON_AddItemToArray(a, e);
	}
	return res;
}

static cJSON *
cmd_ports(struct recd *r, const char **code, char *msg, size_t msglen)
{
	const char	**src;
	cJSON		 *res, *a, *e, *sa;
	unsigned	  ch;
	size_t		  i;

	if (r->cap == NULL) {
		*code = PROTO_E_BAD_STATE;
		snprintf(msg, msglen, "ports: the JACK server is away; recd "
		    "reconnects when it is back");
		return NULL;
	}
	res = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(res, "ports");
	for (ch = 0; ch < cap_channels(r->cap); ch++) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "channel", ch + 1);
		cJSON_AddStringToObject(e, "name", cap_port_name(r->cap, ch));
		sa = cJSON_AddArrayToObject(e, "sources");
		src = cap_port_sources(r->cap, ch);
		for (i = 0; src != NULL && src[i] != NULL; i++)
			cJSON_AddItemToArray(sa, cJSON_CreateString(src[i]));
		cap_free_names(src);
		cJSON_AddItemToArray(a, e);
	}
	return res;
}

/*
 * An option's value for a client.  The commands recd runs (on_*) often
 * hold a token or a password: a read-only client, who may be anyone on
 * the machine, gets null.
 */
static cJSON *
option_value(const struct recd *r, const struct cfg_opt *o, int readonly)
{
	if (readonly && o->runtime == CFG_RT_FILE)
		return cJSON_CreateNull();
	return cfgjson_value(&r->cfg, o);
}

/*
 * The outputs of r's configuration and the one that key ("NAME.KEY")
 * names, or NULL with *code and msg set.  *key is set to KEY; the caller
 * frees *v.
 */
static const struct cfg_out *
find_output(const struct recd *r, const char *name_key, struct cfg_out **v,
    size_t *n, const char **key, const char **code, char *msg,
    size_t msglen)
{
	const struct cfg_opt	*o;
	const char		*dot = strchr(name_key, '.');
	char			 names[CFG_OUT_MAX * (CFG_OUT_NAME_MAX + 2)];
	size_t			 i, len = (size_t)(dot - name_key);

	*code = PROTO_E_BAD_OPTION;
	*v = NULL;
	*n = 0;
	*key = dot + 1;
	if (!cfg_out_key(*key)) {
		o = cfg_find(*key);
		if (o != NULL && strcmp(o->name, *key) == 0)
			snprintf(msg, msglen, "%s: %s belongs to the take, not "
			    "to one output (set %s)", name_key, *key, *key);
		else
			snprintf(msg, msglen, "%s: unknown option of an output",
			    name_key);
		return NULL;
	}
	if (cfg_outputs(&r->cfg, v, n, msg, msglen) != 0) {
		*code = PROTO_E_INTERNAL;
		return NULL;
	}
	for (i = 0; i < *n; i++)
		if (strlen((*v)[i].name) == len &&
		    strncmp((*v)[i].name, name_key, len) == 0)
			return &(*v)[i];
	cfg_outputs_names(*v, *n, names, sizeof(names));
	snprintf(msg, msglen, "%s: no output named \"%.*s\" (there are %s)",
	    name_key, (int)(len < 64 ? len : 64), name_key, names);
	return NULL;
}

/* KEY as output o has it: its name, channels from 1, or an option. */
static cJSON *
output_value(const struct cfg_out *o, const char *key)
{
	cJSON		*a;
	unsigned	 i;

	if (strcmp(key, "name") == 0)
		return cJSON_CreateString(o->name);
	if (strcmp(key, "channels_used") == 0) {
		a = cJSON_CreateArray();
		for (i = 0; a != NULL && i < o->nch; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(o->ch[i] +
			    1));
		return a;
	}
	return cfgjson_value(&o->cfg, cfg_find(key));
}

/* get NAME.KEY: what output NAME has, from its override or the main. */
static cJSON *
get_output(struct recd *r, const struct proto_req *req, const char **code,
    char *msg, size_t msglen)
{
	const struct cfg_out	*o;
	struct cfg_out		*v;
	const char		*key;
	size_t			 n;
	cJSON			*res = NULL;

	o = find_output(r, req->key, &v, &n, &key, code, msg, msglen);
	if (o != NULL) {
		res = cJSON_CreateObject();
		cJSON_AddStringToObject(res, "key", req->key);
		cJSON_AddItemToObject(res, "value", output_value(o, key));
	}
	cfg_outputs_free(v, n);
	return res;
}

static cJSON *
cmd_get(struct recd *r, const struct proto_req *req, int readonly,
    const char **code, char *msg, size_t msglen)
{
	const struct cfg_opt	*o;
	cJSON			*res, *v;
	size_t			 i;

	/* An output's option holds no command: readonly may see it. */
	if (req->key != NULL && strchr(req->key, '.') != NULL)
		return get_output(r, req, code, msg, msglen);
	res = cJSON_CreateObject();
	if (req->key == NULL) {
		v = cJSON_AddObjectToObject(res, "values");
		for (i = 0; i < cfg_count(); i++) {
			o = cfg_opt_at(i);
			cJSON_AddItemToObject(v, o->name, option_value(r, o,
			    readonly));
		}
		return res;
	}
	o = cfg_find(req->key);
	if (o == NULL) {
		cJSON_Delete(res);
		*code = PROTO_E_BAD_OPTION;
		snprintf(msg, msglen, "%s: unknown option", req->key);
		return NULL;
	}
	cJSON_AddStringToObject(res, "key", o->name);
	cJSON_AddItemToObject(res, "value", option_value(r, o, readonly));
	return res;
}

/*
 * A new directory must be usable before it is taken: the writer would
 * find out only at the next file, and the take would end there.  This
 * touches the recording filesystem from the loop (mkdir, access), which
 * the loop otherwise never does; it is a rare request that a person or a
 * frontend waits on, and the reply must say whether it was taken.
 */
int
check_directory(const struct recd *r, const struct cfg *next, char *msg,
    size_t msglen)
{
	struct cfg_out	*nv = NULL, *ov = NULL;
	const char	*was;
	char		 err[4200];
	size_t		 nn = 0, on = 0, i, k;
	int		 rc = 0;

	if (strcmp(next->directory, r->cfg.directory) != 0 &&
	    make_directory(next->directory, err, sizeof(err)) != 0) {
		/* msg is the reply's: a long path is cut, not overflowed. */
		if (snprintf(msg, msglen, "directory: %s", err) < 0)
			msg[0] = '\0';
		return -EINVAL;
	}
	if (next->outputs.n == 0)
		return 0;
	/* Each other output's directory, when it is new, as the main's. */
	if (cfg_outputs(next, &nv, &nn, msg, msglen) != 0)
		return -EINVAL;
	if (cfg_outputs(&r->cfg, &ov, &on, err, sizeof(err)) != 0)
		on = 0;
	for (i = 1; i < nn && rc == 0; i++) {
		for (k = 1, was = NULL; k < on && was == NULL; k++)
			if (strcmp(ov[k].name, nv[i].name) == 0)
				was = ov[k].cfg.directory;
		if ((was != NULL && strcmp(was, nv[i].cfg.directory) == 0) ||
		    make_directory(nv[i].cfg.directory, err, sizeof(err)) == 0)
			continue;
		if (snprintf(msg, msglen, "outputs: output \"%s\": directory: "
		    "%s", nv[i].name, err) < 0)
			msg[0] = '\0';
		rc = -EINVAL;
	}
	cfg_outputs_free(nv, nn);
	cfg_outputs_free(ov, on);
	return rc;
}

/*
 * The one way a new configuration takes effect, for set and SIGHUP alike:
 * a new directory must be usable, the writer gets its copy (from the next
 * files on), each changed option is told (option_changed: no command in
 * it, events reach the read-only socket), and the loop follows: log level,
 * alarms, connections.  next is taken (and freed on failure).  Returns 0,
 * or -EINVAL (the directory; msg says why) or -EAGAIN (the writer's queue
 * is full), and then nothing changed.
 */
int
apply_config(struct recd *r, struct cfg *next, char *msg, size_t msglen)
{
	const struct cfg_opt	*o;
	size_t			 i;
	int			 rc, reconnect;
	cJSON			*f;

	if ((rc = check_directory(r, next, msg, msglen)) != 0 ||
	    (rc = writer_config(r->writer, next)) != 0) {
		if (rc == -EAGAIN)
			snprintf(msg, msglen, "the writer's queue is full");
		cfg_done(next);
		return rc;
	}
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		if (cfg_equal(&r->cfg, next, o))
			continue;
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "key", o->name);
		cJSON_AddItemToObject(f, "value", o->runtime == CFG_RT_FILE ?
		    cJSON_CreateNull() : cfgjson_value(next, o));
		send_event(r, "option_changed", f);
	}
	if (next->log_level != r->cfg.log_level)
		log_set_level((enum log_level)next->log_level);
	reconnect = !cfg_equal(&r->cfg, next, cfg_find("connect"));
	cfg_done(&r->cfg);
	r->cfg = *next;
	event_alarm_setup(r);
	if (reconnect && r->cap != NULL)
		cap_reconnect(r->cap, &r->cfg);
	return 0;
}

/*
 * The last step of set: tmp, checked, becomes the configuration (it is
 * taken).  Returns 0, or -1 with *code and msg set and nothing changed.
 */
static int
set_apply(struct recd *r, struct cfg *tmp, const char *key,
    const char **code, char *msg, size_t msglen)
{
	char	err[1024];
	int	rc;

	if ((rc = apply_config(r, tmp, err, sizeof(err))) != 0) {
		*code = rc == -EAGAIN ? PROTO_E_INTERNAL : PROTO_E_BAD_OPTION;
		snprintf(msg, msglen, "%s%s%s", rc == -EAGAIN ? key : "",
		    rc == -EAGAIN ? ": " : "", err);
		if (rc == -EAGAIN)
			strncat(msg, "; try again", msglen - strlen(msg) - 1);
		return -1;
	}
	return 0;
}

/*
 * Outputs' names, their order and channels are what the writer was
 * started with: like an option that is not runtime, they take a restart.
 */
static int
same_outputs(const struct recd *r, const struct cfg *tmp, const char **code,
    char *msg, size_t msglen)
{
	char err[1024];

	if (cfg_outputs_same_shape(&r->cfg, tmp, err, sizeof(err)) == 0)
		return 0;
	*code = PROTO_E_NOT_RUNTIME;
	snprintf(msg, msglen, "%s: the outputs' names, their order and "
	    "channels_used cannot change while recd runs; change the "
	    "configuration and restart recd", err);
	return -1;
}

/*
 * outputs as text: a JSON list replaces every output, anything else is
 * one element, as on the command line.
 */
static int
set_outputs_text(struct cfg *tmp, const struct cfg_opt *o, const char *text,
    char *msg, size_t msglen)
{
	cJSON	*v;
	int	 rc;

	v = cJSON_Parse(text);
	if (!cJSON_IsArray(v)) {
		cJSON_Delete(v);
		return cfg_set_text(tmp, o, text, 0, msg, msglen);
	}
	rc = cfgjson_set(tmp, o, v, msg, msglen);
	cJSON_Delete(v);
	return rc;
}

/*
 * set NAME.KEY: one override of output NAME, in its element of outputs,
 * checked with the option's own setter first; a null value takes the
 * override out (the output has the main option's value again).
 */
static cJSON *
set_output(struct recd *r, const struct proto_req *req, const char **code,
    char *msg, size_t msglen)
{
	const struct cfg_opt	*o, *lo = cfg_find("outputs");
	const struct cfg_out	*out;
	struct cfg_out		*v;
	struct cfg		 one, tmp;
	const char		*key;
	char			 err[1024], *text = NULL;
	size_t			 n, i, at;
	cJSON			*el = NULL, *val = NULL, *res = NULL;
	int			 rc, drop;

	out = find_output(r, req->key, &v, &n, &key, code, msg, msglen);
	if (out == NULL)
		goto out;
	o = cfg_find(key);
	at = (size_t)(out - v);
	if (at == 0) {
		snprintf(msg, msglen, "%s: the main output's options have "
		    "their own names: set %s", req->key, key);
		goto out;
	}
	if (o == NULL || o->runtime != CFG_RT_YES) {
		*code = PROTO_E_NOT_RUNTIME;
		snprintf(msg, msglen, "%s: cannot change while recd runs; "
		    "change the configuration and restart recd", req->key);
		goto out;
	}
	drop = req->value != NULL && cJSON_IsNull(req->value);
	if (!drop) {
		if (cfg_copy(&one, &out->cfg, msg, msglen) != 0) {
			*code = PROTO_E_INTERNAL;
			goto out;
		}
		rc = req->value != NULL ? cfgjson_set(&one, o, req->value, err,
		    sizeof(err)) : cfg_set_text(&one, o, req->text, 0, err,
		    sizeof(err));
		if (rc == 0)
			val = cfgjson_value(&one, o);
		cfg_done(&one);
		if (rc != 0) {
			snprintf(msg, msglen, "outputs: output \"%s\": %s",
			    out->name, err);
			goto out;
		}
	}
	/* cfg_outputs has read the element: it is an object. */
	el = cJSON_Parse(r->cfg.outputs.v[at - 1]);
	if (!cJSON_IsObject(el) || (!drop && val == NULL)) {
		*code = PROTO_E_INTERNAL;
		snprintf(msg, msglen, "%s: outputs[%zu]: cannot be read back "
		    "(out of memory?)", req->key, at - 1);
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(el, key);
	if (val != NULL) {
		cJSON_AddItemToObject(el, key, val);
		val = NULL;
	}
	if ((text = cJSON_PrintUnformatted(el)) == NULL ||
	    cfg_copy(&tmp, &r->cfg, msg, msglen) != 0) {
		*code = PROTO_E_INTERNAL;
		snprintf(msg, msglen, "%s: out of memory", req->key);
		goto out;
	}
	cfg_list_clear(&tmp, lo);
	for (i = 0, rc = 0; i < r->cfg.outputs.n && rc == 0; i++)
		rc = cfg_list_add(&tmp, lo, i == at - 1 ? text :
		    r->cfg.outputs.v[i], msg, msglen);
	if (rc == 0)
		rc = cfgout_check(&tmp, msg, msglen);
	if (rc != 0 || set_apply(r, &tmp, req->key, code, msg, msglen) != 0) {
		if (rc != 0)
			cfg_done(&tmp);
		goto out;
	}
	log_info("set %s: %s", req->key, req->text != NULL ? req->text :
	    "(from a client)");
	cfg_outputs_free(v, n);
	out = find_output(r, req->key, &v, &n, &key, code, msg, msglen);
	if (out != NULL) {
		res = cJSON_CreateObject();
		cJSON_AddStringToObject(res, "key", req->key);
		cJSON_AddItemToObject(res, "value", output_value(out, key));
	}
out:
	cJSON_Delete(val);
	cJSON_Delete(el);
	cJSON_free(text);
	cfg_outputs_free(v, n);
	return res;
}

/*
 * A runtime option, checked on a copy first: a refused value changes
 * nothing, and the running take goes on untouched.
 */
static cJSON *
cmd_set(struct recd *r, const struct proto_req *req, const char **code,
    char *msg, size_t msglen)
{
	const struct cfg_opt	*o;
	struct cfg		 tmp;
	cJSON			*res;
	int			 rc;

	if (strchr(req->key, '.') != NULL)
		return set_output(r, req, code, msg, msglen);
	o = cfg_find(req->key);
	*code = PROTO_E_BAD_OPTION;
	if (o == NULL) {
		snprintf(msg, msglen, "%s: unknown option", req->key);
		return NULL;
	}
	if (o->runtime == CFG_RT_FILE) {
		*code = PROTO_E_NOT_RUNTIME;
		snprintf(msg, msglen, "%s: the commands recd runs, and the "
		    "events that run them, come from the configuration file "
		    "only; change it there and send SIGHUP (systemctl reload "
		    "recd)", o->name);
		log_warnx("set %s: refused: commands come from the "
		    "configuration file only", o->name);
		return NULL;
	}
	if (o->runtime != CFG_RT_YES) {
		*code = PROTO_E_NOT_RUNTIME;
		snprintf(msg, msglen, "%s: cannot change while recd runs; "
		    "change the configuration and restart recd", o->name);
		return NULL;
	}
	if (cfg_copy(&tmp, &r->cfg, msg, msglen) != 0) {
		*code = PROTO_E_INTERNAL;
		return NULL;
	}
	if (req->value != NULL)
		rc = cfgjson_set(&tmp, o, req->value, msg, msglen);
	else if (cfg_list_objects(o))
		rc = set_outputs_text(&tmp, o, req->text, msg, msglen);
	else
		rc = cfg_set_text(&tmp, o, req->text, 0, msg, msglen);
	if (rc == 0)
		rc = cfgout_check(&tmp, msg, msglen);
	if (rc == 0 && cfg_list_objects(o))
		rc = same_outputs(r, &tmp, code, msg, msglen);
	if (rc != 0) {
		cfg_done(&tmp);
		return NULL;
	}
	if (set_apply(r, &tmp, o->name, code, msg, msglen) != 0)
		return NULL;
	log_info("set %s: %s", o->name, req->text != NULL ? req->text :
	    "(from a client)");
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "key", o->name);
	cJSON_AddItemToObject(res, "value", cfgjson_value(&r->cfg, o));
	return res;
}

static cJSON *
state_result(const char *state)
{
	cJSON *res = cJSON_CreateObject();

	cJSON_AddStringToObject(res, "state", state);
	return res;
}

/* Every command but subscribe and unsubscribe (ctlsrv does those). */
static cJSON *
on_request(void *arg, const struct proto_req *req,
    const struct ctlsrv_peer *peer, const char **code, char *msg,
    size_t msglen)
{
	struct recd		*r = ((struct lv_slot *)arg)->r;
	cJSON			*res;

	res = run_request(r, req, peer, code, msg, msglen);
	/* What changes something is logged with who asked for it. */
	switch (req->cmd) {
	case PROTO_START:
	case PROTO_STOP:
	case PROTO_ROTATE:
	case PROTO_MARK:
	case PROTO_SET:
		log_info("%s%s%s: asked by uid %ld, pid %ld%s%s",
		    proto_cmd_name(req->cmd), req->key != NULL ? " " : "",
		    req->key != NULL ? req->key : "", peer->uid, peer->pid,
		    res == NULL ? "; refused: " : "", res == NULL ? msg : "");
		break;
	default:
		break;
	}
	return res;
}

/* Every command but subscribe and unsubscribe (ctlsrv does those). */
static cJSON *
run_request(struct recd *r, const struct proto_req *req,
    const struct ctlsrv_peer *peer, const char **code, char *msg,
    size_t msglen)
{
	struct writer_stats	 st;

	writer_get_stats(r->writer, &st);
	switch (req->cmd) {
	case PROTO_STATUS:
		return cmd_status(r);
	case PROTO_START:
		if (st.failed) {
			*code = PROTO_E_BAD_STATE;
			snprintf(msg, msglen, "start: the writer has failed "
			    "(see the log)");
			return NULL;
		}
		if (r->taking && st.paused == WP_DISK_FULL &&
		    writer_outputs(r->writer) == 1) {
			*code = PROTO_E_BAD_STATE;
			snprintf(msg, msglen, "start: %s: %lld MB free, below "
			    "disk_min_mb (%ld)", r->cfg.directory,
			    st.disk_free / (1024 * 1024), r->cfg.disk_min_mb);
			return NULL;
		}
		if ((r->taking && writer_resume(r->writer) != 0) ||
		    writer_take(r->writer, 1, r->cap != NULL ?
		    take_from(r->cap) : 0, !r->taking) != 0) {
			*code = PROTO_E_INTERNAL;
			snprintf(msg, msglen, "start: the writer's queue is "
			    "full; try again");
			return NULL;
		}
		r->taking = 1;
		return state_result(r->cap != NULL ? "recording" : "paused");
	case PROTO_STOP:
		if (writer_take(r->writer, 0, 0, 0) != 0) {
			*code = PROTO_E_INTERNAL;
			snprintf(msg, msglen, "stop: the writer's queue is "
			    "full; try again");
			return NULL;
		}
		r->taking = 0;
		return state_result("idle");
	case PROTO_ROTATE:
	case PROTO_MARK:
		if (!r->taking || !st.recording) {
			*code = PROTO_E_BAD_STATE;
			snprintf(msg, msglen, "%s: no take is open",
			    proto_cmd_name(req->cmd));
			return NULL;
		}
		if ((req->cmd == PROTO_ROTATE ? writer_rotate(r->writer) :
		    writer_mark(r->writer, req->label != NULL ? req->label :
		    "")) != 0) {
			*code = PROTO_E_INTERNAL;
			snprintf(msg, msglen, "%s: the writer's queue is full; "
			    "try again", proto_cmd_name(req->cmd));
			return NULL;
		}
		return cJSON_CreateObject();
	case PROTO_GET:
		return cmd_get(r, req, peer->readonly, code, msg, msglen);
	case PROTO_SET:
		return cmd_set(r, req, code, msg, msglen);
	case PROTO_OPTIONS:
		return cmd_options(r);
	case PROTO_PORTS:
		return cmd_ports(r, code, msg, msglen);
	default:
		*code = PROTO_E_INTERNAL;
		snprintf(msg, msglen, "%s: not handled here",
		    proto_cmd_name(req->cmd));
		return NULL;
	}
}

/*
 * A socket's tick wants the levels since its last one: what the writer
 * gathered since any socket last asked goes to both sockets' slots, and
 * this one's slot is handed over and emptied.
 */
static int
on_levels(void *arg, float *peak, unsigned char *clip)
{
	struct lv_slot	*me = arg, *o;
	struct recd	*r = me->r;
	unsigned	 c, k, nch = (unsigned)r->cfg.channels;
	int		 fresh;

	fresh = writer_levels(r->writer, r->lv_peak, r->lv_clip);
	for (k = 0; k < 2; k++) {
		o = &r->lv[k];
		if (o->peak == NULL)
			continue;
		o->fresh |= fresh;
		for (c = 0; c < nch; c++) {
			if (r->lv_peak[c] > o->peak[c] ||
			    r->lv_peak[c] != r->lv_peak[c])
				o->peak[c] = r->lv_peak[c];
			o->clip[c] |= r->lv_clip[c];
		}
	}
	memcpy(peak, me->peak, nch * sizeof(*peak));
	memcpy(clip, me->clip, nch);
	memset(me->peak, 0, nch * sizeof(*me->peak));
	memset(me->clip, 0, nch);
	fresh = me->fresh;
	me->fresh = 0;
	return fresh;
}

/* Level slots for k sockets (1 or 2); -1 when out of memory. */
static int
levels_slots(struct recd *r, unsigned k)
{
	size_t	nch = (size_t)r->cfg.channels;
	unsigned i;

	if (r->lv_peak == NULL && ((r->lv_peak = calloc(nch,
	    sizeof(float))) == NULL || (r->lv_clip = calloc(nch, 1)) == NULL))
		return -1;
	for (i = 0; i < k; i++) {
		r->lv[i].r = r;
		if (r->lv[i].peak == NULL && ((r->lv[i].peak = calloc(nch,
		    sizeof(float))) == NULL ||
		    (r->lv[i].clip = calloc(nch, 1)) == NULL))
			return -1;
	}
	return 0;
}

void
levels_free(struct recd *r)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		free(r->lv[i].peak);
		free(r->lv[i].clip);
	}
	free(r->lv_peak);
	free(r->lv_clip);
}

int
start_control(struct recd *r, char *err, size_t errlen)
{
	struct ctlsrv_ops	ops;
	char			path[256], given[256];
	int			fd;

	if (cfg_socket_path(r->cfg.socket, path, sizeof(path)) != 0) {
		snprintf(err, errlen, "socket: path too long");
		return -1;
	}
	if (levels_slots(r, 1) != 0) {
		snprintf(err, errlen, "socket: out of memory");
		return -1;
	}
	memset(&ops, 0, sizeof(ops));
	ops.request = on_request;
	ops.levels = on_levels;
	ops.arg = &r->lv[0];
	ops.nch = cap_channels(r->cap);
	ops.hello = proto_hello(RECD_VERSION, cap_channels(r->cap),
	    cap_rate(r->cap));
	fd = notify_listen_fd(given, sizeof(given), err, errlen);
	if (fd >= 0) {
		if (strcmp(given, path) != 0)
			log_warnx("socket %s: systemd passed this one; recctl "
			    "looks for %s (option socket)", given, path);
		r->ctl = ctlsrv_new_fd(&r->loop, fd, given, &ops, err, errlen);
	} else if (fd == -ENOENT)
		r->ctl = ctlsrv_new(&r->loop, path, &ops, err, errlen);
	else {
		free(ops.hello);
		return -1;
	}
	if (r->ctl == NULL)
		return -1;
	log_info("socket %s: listening%s", fd >= 0 ? given : path, fd >= 0 ?
	    " (from systemd)" : "");
	return 0;
}

int
start_control_ro(struct recd *r, char *err, size_t errlen)
{
	struct ctlsrv_ops	ops;
	char			path[256];

	/* Beside the control socket's path, as recweb finds it. */
	if (cfg_socket_path(r->cfg.socket, path, sizeof(path)) != 0 ||
	    cfg_socket_ro_path(r->cfg.socket_readonly, path, r->ro_path,
	    sizeof(r->ro_path)) != 0) {
		snprintf(err, errlen, "beside %s: too long for a socket "
		    "path (107 bytes): set socket_readonly, or none", path);
		return -1;
	}
	if (r->ro_path[0] == '\0')
		return 0;
	if (levels_slots(r, 2) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&ops, 0, sizeof(ops));
	ops.request = on_request;
	ops.levels = on_levels;
	ops.arg = &r->lv[1];
	ops.nch = cap_channels(r->cap);
	ops.readonly = 1;
	ops.hello = proto_hello(RECD_VERSION, cap_channels(r->cap),
	    cap_rate(r->cap));
	r->ctl_ro = ctlsrv_new(&r->loop, r->ro_path, &ops, err, errlen);
	if (r->ctl_ro == NULL)
		return -1;
	log_info("socket %s: listening, read-only", r->ro_path);
	return 0;
}

/* The greeting names the rate: both sockets' change with it. */
void
set_hello(struct recd *r)
{
	if (r->ctl != NULL)
		ctlsrv_set_hello(r->ctl, proto_hello(RECD_VERSION,
		    (unsigned)r->cfg.channels, r->rate));
	if (r->ctl_ro != NULL)
		ctlsrv_set_hello(r->ctl_ro, proto_hello(RECD_VERSION,
		    (unsigned)r->cfg.channels, r->rate));
}
