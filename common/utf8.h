/*
 * utf8.h: one UTF-8 character checked, for text that must stay valid
 * (iXML) or safe to print (recctl's meter).  Pure: any thread.
 */
#ifndef RECD_COMMON_UTF8_H
#define RECD_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length in bytes of the UTF-8 character at s (n > 0 bytes left), or
 * 0 when it is not valid: a stray or missing continuation byte, an
 * overlong form, a surrogate, or past U+10FFFF.
 */
static inline size_t
utf8_len(const unsigned char *s, size_t n)
{
	static const uint32_t	 least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t		 c;
	size_t			 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

#endif
