/*
 * repair.h: start-up repair: every file a crash or a power cut left
 * unfinished (*.wav.partial) under the recording directory gets a header
 * that covers every complete frame on disk and its final name.  Main
 * thread, before the loop starts.
 */
#ifndef RECD_DAEMON_REPAIR_H
#define RECD_DAEMON_REPAIR_H

/*
 * Every *.wav.partial under dir, subdirectories included; logs each, and
 * calls done (if not NULL) with the final name of each file it finished.
 */
void	repair_dir(const char *dir, void (*done)(void *, const char *),
	    void *arg);

#endif
