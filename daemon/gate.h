/*
 * gate.h: the silence gate and its pre-roll, as a mechanism: fed one
 * record at a time, it says which span of it to write, where the gate
 * opened (and how much pre-roll goes before) and where it closed.  It
 * keeps the pre-roll; the writer decides about files, markers, logs and
 * events.  Writer thread only.
 */
#ifndef RECD_DAEMON_GATE_H
#define RECD_DAEMON_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define GATE_NEVER	UINT64_MAX

/* Frames are extended (64-bit) JACK frames, as the writer counts them. */
struct gate {
	int		 on;		/* cfg.gate, as the writer follows it */
	int		 open;
	uint64_t	 last_loud;	/* the last frame at the threshold */
	uint64_t	 closed_at;	/* where it last closed; GATE_NEVER:
					   not since the take began */
	uint64_t	 seg_start;	/* where this stretch of signal began */
	float		 lin;		/* the threshold as a sample value */
	unsigned	 nch;
	unsigned char	*ch;		/* nch: opens the gate */
	struct hist	 pre;		/* the pre-roll */
	const float	**pre_planes;	/* nch */
};

/* What to do with one record. */
struct gate_span {
	int		 opens;		/* the gate opened in it ... */
	uint64_t	 start;		/* ... for a stretch from this frame */
	uint64_t	 loud;		/* ... whose first loud frame is this */
	uint64_t	 from_pre;	/* pre-roll frames to write first */
	size_t		 off, end;	/* then the record's [off, end) */
	int		 closes;	/* and the gate closed at ... */
	uint64_t	 close_at;	/* ... this frame (record frame end) */
};

int	 gate_init(struct gate *, unsigned nch);
void	 gate_free(struct gate *);
/*
 * The threshold, the channels that open it (1-based, as text; none: all)
 * and the pre-roll in frames.  Returns 0, or -1 when the pre-roll could
 * not be allocated (the gate then works without).
 */
int	 gate_configure(struct gate *, double threshold_dbfs,
	    char *const *channels, size_t nchannels, uint64_t preroll);
/* Forgets the pre-roll's size: the next gate_configure allocates anew. */
void	 gate_resize(struct gate *);
/* Turned on at frame pos (open when files are), or off. */
void	 gate_turn_on(struct gate *, uint64_t pos, int files_open);
void	 gate_turn_off(struct gate *);
/* The pre-roll and the gate's timeline start again from the next record. */
void	 gate_reset(struct gate *);
/* A gap while nothing is written: the pre-roll is lost. */
void	 gate_gap(struct gate *, uint64_t ft64);
/*
 * Judges a record of n frames (planes) at frame ft64: where it opens
 * (the gate is then open), which span to write, and where it would
 * close after hold frames below the threshold.
 */
void	 gate_judge(struct gate *, const float *const *planes, size_t n,
	    uint64_t ft64, uint64_t hold, struct gate_span *);
/*
 * The pre-roll to write before the span, oldest first: *done frames of
 * sp->from_pre are out; sets planes to the next piece and returns its
 * length (0: all out).
 */
uint64_t gate_preroll(const struct gate *, const struct gate_span *,
	    uint64_t done, const float **planes);
/*
 * Once the writer wrote the span: a close takes effect, and what was not
 * written is kept as pre-roll.
 */
void	 gate_after(struct gate *, const float *const *planes, size_t n,
	    const struct gate_span *);

#endif
