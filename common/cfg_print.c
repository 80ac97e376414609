/*
 * cfg_print.c: the option table for people (cfg.h): --help, the table in
 * README.md and etc/recd.json, all made from cfg.c's table, so that none
 * of them can differ from what recd accepts.  Main thread only.
 */
#include "cfg.h"

#include <stdio.h>
#include <string.h>

#define CFG_HELP_COLS	72	/* where --help and the config wrap text */

/* The accepted values of an option, as "(...)" for messages and docs. */
void
cfg_range_text(const struct cfg_opt *o, char *buf, size_t len)
{
	size_t	n;
	int	i;

	switch (o->type) {
	case CFG_BOOL:
		snprintf(buf, len, "(true or false)");
		break;
	case CFG_INT:
		snprintf(buf, len, "(%.0f..%.0f)", o->min, o->max);
		break;
	case CFG_REAL:
		snprintf(buf, len, "(%g..%g)", o->min, o->max);
		break;
	case CFG_STRING:
		snprintf(buf, len, "(%.0f..%.0f characters)", o->min, o->max);
		break;
	case CFG_LIST:
		if (cfg_list_objects(o))
			snprintf(buf, len, "(at most %d JSON objects, each "
			    "%.0f..%.0f characters)", CFG_OUT_MAX - 1, o->min,
			    o->max);
		else
			snprintf(buf, len, "(each %.0f..%.0f characters)",
			    o->min, o->max);
		break;
	case CFG_ENUM:
		n = (size_t)snprintf(buf, len, "(one of");
		for (i = 0; o->choices[i] != NULL && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s %s",
			    i == 0 ? "" : ",", o->choices[i]);
		if (n < len)
			snprintf(buf + n, len - n, ")");
		break;
	}
}

static const char *const type_names[] = {
	"boolean", "integer", "number", "string", "choice",
	"list of strings"
};

static const char *
type_name(const struct cfg_opt *o)
{
	return cfg_list_objects(o) ? "list of objects" : type_names[o->type];
}

/* Prints text wrapped at CFG_HELP_COLS, each line after prefix. */
static void
print_wrapped(FILE *f, const char *prefix, const char *text)
{
	const char	*p = text, *brk;
	size_t		 width = CFG_HELP_COLS - strlen(prefix), n;

	while (*p != '\0') {
		n = strlen(p);
		if (n > width) {
			for (brk = p + width; brk > p && *brk != ' '; brk--)
				;
			n = brk > p ? (size_t)(brk - p) : width;
		}
		fprintf(f, "%s%.*s\n", prefix, (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void
default_text(const struct cfg_opt *o, char *buf, size_t len)
{
	if (o->type == CFG_LIST)
		snprintf(buf, len, o->def[0] == '\0' ? "[]" : "[\"%s\"]",
		    o->def);
	else if (o->type == CFG_STRING)
		snprintf(buf, len, "\"%s\"", o->def);
	else
		snprintf(buf, len, "%s", o->def);
}

void
cfg_print_help(FILE *f)
{
	const struct cfg_opt	*o;
	char			 range[128], def[128];
	size_t			 i;

	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		cfg_range_text(o, range, sizeof(range));
		default_text(o, def, sizeof(def));
		fprintf(f, "  --%s %s %s, default %s%s\n", o->name,
		    type_name(o), range, def,
		    o->runtime == CFG_RT_YES ? "; runtime" :
		    o->runtime == CFG_RT_FILE ? "; at SIGHUP" : "");
		print_wrapped(f, "        ", o->help);
	}
}

void
cfg_print_markdown(FILE *f)
{
	const struct cfg_opt	*o;
	char			 range[128], def[128];
	size_t			 i;

	fprintf(f, "| option | type | default | accepted | runtime | "
	    "meaning |\n|---|---|---|---|---|---|\n");
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		cfg_range_text(o, range, sizeof(range));
		default_text(o, def, sizeof(def));
		/* The parentheses are for sentences, not for a table cell. */
		range[strlen(range) - 1] = '\0';
		fprintf(f, "| `%s` | %s | `%s` | %s | %s | %s |\n", o->name,
		    type_name(o), def, range + 1,
		    o->runtime == CFG_RT_YES ? "yes" :
		    o->runtime == CFG_RT_FILE ? "SIGHUP" : "no", o->help);
	}
}

/* A JSON string literal; option values and defaults are plain text. */
static void
print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void
cfg_print_config(FILE *f)
{
	const struct cfg_opt	*o;
	char			 range[128];
	size_t			 i;

	fprintf(f, "// recd configuration: JSON, with // and /* */ comments."
	    "\n// Every option at its default; \"recd --help\" and README.md "
	    "say the same.\n// Options marked runtime can be changed while "
	    "recording;\n// those marked SIGHUP are read from this file again "
	    "at SIGHUP.\n{\n");
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		cfg_range_text(o, range, sizeof(range));
		fprintf(f, "%s", i == 0 ? "" : "\n");
		print_wrapped(f, "\t// ", o->help);
		fprintf(f, "\t// %s %s%s\n\t", type_name(o), range,
		    o->runtime == CFG_RT_YES ? ", runtime" :
		    o->runtime == CFG_RT_FILE ? ", SIGHUP" : "");
		print_json_string(f, o->name);
		fprintf(f, ": ");
		if (o->type == CFG_LIST) {
			fprintf(f, "[");
			if (o->def[0] != '\0')
				print_json_string(f, o->def);
			fprintf(f, "]");
		} else if (o->type == CFG_STRING || o->type == CFG_ENUM)
			print_json_string(f, o->def);
		else
			fprintf(f, "%s", o->def);
		fprintf(f, "%s\n", i + 1 < cfg_count() ? "," : "");
	}
	fprintf(f, "}\n");
}
