/*
 * version.h: recd's version, for the greeting, the log and the files'
 * headers (CodingHistory, iXML).
 */
#ifndef RECD_COMMON_VERSION_H
#define RECD_COMMON_VERSION_H

#define RECD_VERSION	"0.1.0"

#endif
