/* filetype.h: Dify's file categories by extension (image, document, audio, video, custom),
 * their upload size limits, MIME guesses, and filename rules (§6.2, §7.3). */
#ifndef RS_FILETYPE_H
#define RS_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

#include "refserver/refserver.h"

/* rs_file_ext writes the extension of |name| (after the last dot, lower case, no dot; "" when
 * none or longer than |cap|-1) into |out|. */
void rs_file_ext(const char *name, char *out, size_t cap);
/* rs_file_type: "image", "document", "audio", "video" or "custom" for an extension. */
const char *rs_file_type(const char *ext);
/* rs_file_type_of_mime: the category a MIME type implies (graphon's get_file_type_by_mime_type:
 * image/, video/, audio/ by prefix; document for text/, Office and PDF types; else "custom"). */
const char *rs_file_type_of_mime(const char *mime);
/* rs_file_standardize is Dify's standardize_file_type: the category of |ext| when it is a
 * known extension, else the one |mime| implies ("custom" when neither says). */
const char *rs_file_standardize(const char *ext, const char *mime);
/* rs_file_limit: the size limit of |ext|'s category under |cfg| (§6.2). */
uint64_t rs_file_limit(const hitl_refserver_config *cfg, const char *ext);
/* rs_file_max_limit: the largest of the four limits. */
uint64_t rs_file_max_limit(const hitl_refserver_config *cfg);
/* rs_file_mime: a MIME type for |ext| ("application/octet-stream" when unknown). */
const char *rs_file_mime(const char *ext);
/* rs_file_ext_of_mime: a typical extension for a MIME type, or NULL. */
const char *rs_file_ext_of_mime(const char *mime);
/* rs_file_blacklisted: 1 when |ext| is in --blacklist. */
int rs_file_blacklisted(const hitl_refserver_config *cfg, const char *ext);
/* rs_file_name_invalid: 1 when |name| has one of / \ : * ? " < > | (FileService). */
int rs_file_name_invalid(const char *name);

#endif
