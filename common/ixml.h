/*
 * ixml.h: the text of a WAV file's iXML chunk (iXML 2.10), so that DAWs
 * and field-recorder tools name each track after its port.  Pure: any
 * thread.
 */
#ifndef RECD_COMMON_IXML_H
#define RECD_COMMON_IXML_H

#include <stddef.h>

struct fmt_par;

/*
 * The iXML document for a file at path opened with par: project
 * (description), take, file and file-set identifiers, speed and time stamp
 * (the same first sample as bext's TimeReference), the track list (each
 * channel's index in the take, its place in the file and its port's
 * name) and the bext fields again.  Returns the text (malloc'd, *len bytes
 * without the NUL that ends it), or NULL with errno set.
 */
char	*ixml_text(const struct fmt_par *par, const char *path, size_t *len);

#endif
