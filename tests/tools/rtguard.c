/*
 * rtguard.c: a test-only LD_PRELOAD library that holds recd's JACK process
 * callback to the real-time rule while it runs.  It wraps the callback
 * that recd registers and counts every call to an allocator, a lock, a
 * sleep or a write made from inside it; at exit it prints
 *   rtguard: N callbacks, M forbidden calls[ (first: NAME)]
 * RTGUARD_SELFTEST=1 makes the wrapper itself call malloc inside the
 * callback once, to prove that the guard sees it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <jack/jack.h>

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);

static _Thread_local int	 in_cb;
static atomic_ulong		 callbacks, forbidden;
static const char *_Atomic	 first;
static JackProcessCallback	 real_cb;
static void			*real_arg;
static int			 selftest;

static int	(*real_lock)(pthread_mutex_t *);
static int	(*real_trylock)(pthread_mutex_t *);
static int	(*real_unlock)(pthread_mutex_t *);
static int	(*real_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
static int	(*real_cond_signal)(pthread_cond_t *);
static int	(*real_sem_wait)(sem_t *);
static int	(*real_sem_post)(sem_t *);
static ssize_t	(*real_write)(int, const void *, size_t);
static ssize_t	(*real_read)(int, void *, size_t);
static int	(*real_nanosleep)(const struct timespec *, struct timespec *);
static int	(*real_set_process)(jack_client_t *, JackProcessCallback,
		    void *);

static void
note(const char *what)
{
	const char *none = NULL;

	if (!in_cb)
		return;
	atomic_fetch_add(&forbidden, 1);
	atomic_compare_exchange_strong(&first, &none, what);
}

__attribute__((constructor)) static void
rtguard_init(void)
{
	real_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
	real_trylock = dlsym(RTLD_NEXT, "pthread_mutex_trylock");
	real_unlock = dlsym(RTLD_NEXT, "pthread_mutex_unlock");
	real_cond_wait = dlsym(RTLD_NEXT, "pthread_cond_wait");
	real_cond_signal = dlsym(RTLD_NEXT, "pthread_cond_signal");
	real_sem_wait = dlsym(RTLD_NEXT, "sem_wait");
	real_sem_post = dlsym(RTLD_NEXT, "sem_post");
	real_write = dlsym(RTLD_NEXT, "write");
	real_read = dlsym(RTLD_NEXT, "read");
	real_nanosleep = dlsym(RTLD_NEXT, "nanosleep");
	real_set_process = dlsym(RTLD_NEXT, "jack_set_process_callback");
	selftest = getenv("RTGUARD_SELFTEST") != NULL;
}

__attribute__((destructor)) static void
rtguard_report(void)
{
	const char *f = atomic_load(&first);

	fprintf(stderr, "rtguard: %lu callbacks, %lu forbidden calls%s%s%s\n",
	    atomic_load(&callbacks), atomic_load(&forbidden),
	    f != NULL ? " (first: " : "", f != NULL ? f : "",
	    f != NULL ? ")" : "");
}

static int
wrapped(jack_nframes_t nframes, void *arg)
{
	void	*p;
	int	 rc;

	(void)arg;
	in_cb = 1;
	if (selftest && atomic_fetch_add(&callbacks, 1) == 10) {
		/* Used, so that the compiler cannot drop the pair. */
		p = malloc(16);
		if (p != NULL)
			*(volatile char *)p = 1;
		free(p);
	} else if (!selftest)
		atomic_fetch_add(&callbacks, 1);
	rc = real_cb(nframes, real_arg);
	in_cb = 0;
	return rc;
}

int
jack_set_process_callback(jack_client_t *c, JackProcessCallback cb, void *arg)
{
	real_cb = cb;
	real_arg = arg;
	return real_set_process(c, wrapped, NULL);
}

void *malloc(size_t n) { note("malloc"); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { note("calloc"); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { note("realloc"); return __libc_realloc(p, n); }
void free(void *p) { note("free"); __libc_free(p); }

int
pthread_mutex_lock(pthread_mutex_t *m)
{
	note("pthread_mutex_lock");
	return real_lock != NULL ? real_lock(m) : 0;
}

int
pthread_mutex_trylock(pthread_mutex_t *m)
{
	note("pthread_mutex_trylock");
	return real_trylock != NULL ? real_trylock(m) : 0;
}

int
pthread_mutex_unlock(pthread_mutex_t *m)
{
	note("pthread_mutex_unlock");
	return real_unlock != NULL ? real_unlock(m) : 0;
}

int
pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	note("pthread_cond_wait");
	return real_cond_wait(c, m);
}

int
pthread_cond_signal(pthread_cond_t *c)
{
	note("pthread_cond_signal");
	return real_cond_signal(c);
}

int
sem_wait(sem_t *s)
{
	note("sem_wait");
	return real_sem_wait(s);
}

int
sem_post(sem_t *s)
{
	note("sem_post");
	return real_sem_post(s);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	note("write");
	return real_write(fd, buf, n);
}

ssize_t
read(int fd, void *buf, size_t n)
{
	note("read");
	return real_read(fd, buf, n);
}

int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	note("nanosleep");
	return real_nanosleep(req, rem);
}
