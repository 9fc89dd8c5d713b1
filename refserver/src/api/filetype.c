/* filetype.c: extension tables after Dify's constants (IMAGE_EXTENSIONS, …). */
#include "filetype.h"

#include <string.h>
#include <strings.h>

typedef struct ext_row {
    const char *ext;
    const char *type;
    const char *mime;
} ext_row;

static const ext_row EXTS[] = {
    {"jpg", "image", "image/jpeg"},
    {"jpeg", "image", "image/jpeg"},
    {"png", "image", "image/png"},
    {"webp", "image", "image/webp"},
    {"gif", "image", "image/gif"},
    {"svg", "image", "image/svg+xml"},
    {"mp4", "video", "video/mp4"},
    {"mov", "video", "video/quicktime"},
    {"mpeg", "video", "video/mpeg"},
    {"webm", "video", "video/webm"},
    {"mp3", "audio", "audio/mpeg"},
    {"m4a", "audio", "audio/mp4"},
    {"wav", "audio", "audio/wav"},
    {"amr", "audio", "audio/amr"},
    {"mpga", "audio", "audio/mpeg"},
    {"txt", "document", "text/plain"},
    {"markdown", "document", "text/markdown"},
    {"md", "document", "text/markdown"},
    {"mdx", "document", "text/markdown"},
    {"pdf", "document", "application/pdf"},
    {"html", "document", "text/html"},
    {"htm", "document", "text/html"},
    {"xlsx", "document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"xls", "document", "application/vnd.ms-excel"},
    {"vtt", "document", "text/vtt"},
    {"properties", "document", "text/plain"},
    {"doc", "document", "application/msword"},
    {"docx", "document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"csv", "document", "text/csv"},
    {"eml", "document", "message/rfc822"},
    {"msg", "document", "application/vnd.ms-outlook"},
    {"pptx", "document",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"ppt", "document", "application/vnd.ms-powerpoint"},
    {"xml", "document", "application/xml"},
    {"epub", "document", "application/epub+zip"},
};

static const ext_row *find(const char *ext)
{
    for (size_t i = 0; i < sizeof EXTS / sizeof EXTS[0]; i++)
        if (strcmp(EXTS[i].ext, ext) == 0)
            return &EXTS[i];
    return NULL;
}

void rs_file_ext(const char *name, char *out, size_t cap)
{
    const char *dot = strrchr(name, '.');
    out[0] = '\0';
    if (!dot || strlen(dot + 1) >= cap)
        return;
    size_t i = 0;
    for (const char *p = dot + 1; *p; p++)
        out[i++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    out[i] = '\0';
}

const char *rs_file_type(const char *ext)
{
    const ext_row *r = find(ext);
    return r ? r->type : "custom";
}

/* graphon's get_file_type_by_mime_type (api/graphon file helpers, the newest seen): the
 * MIME type without parameters, lower case. */
const char *rs_file_type_of_mime(const char *mime)
{
    static const char *const docs[] = {"application/epub+zip",
                                       "application/msword",
                                       "application/pdf",
                                       "application/dps",
                                       "application/et",
                                       "application/kswps",
                                       "application/vnd.ms-excel",
                                       "application/vnd.ms-outlook",
                                       "application/vnd.ms-powerpoint",
                                       "application/vnd.oasis.opendocument.text",
                                       "message/rfc822"};
    static const char *const doc_prefixes[] = {"application/vnd.openxmlformats-officedocument",
                                               "application/wps-office", "text/"};
    static const char *const content[] = {"image", "video", "audio"};
    size_t n = strcspn(mime, ";");
    while (n && mime[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(content[i]);
        if (n > k && strncasecmp(mime, content[i], k) == 0 && mime[k] == '/')
            return content[i];
    }
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (strlen(docs[i]) == n && strncasecmp(mime, docs[i], n) == 0)
            return "document";
    for (size_t i = 0; i < sizeof doc_prefixes / sizeof doc_prefixes[0]; i++)
        if (n >= strlen(doc_prefixes[i]) &&
            strncasecmp(mime, doc_prefixes[i], strlen(doc_prefixes[i])) == 0)
            return "document";
    return "custom";
}

const char *rs_file_standardize(const char *ext, const char *mime)
{
    const ext_row *r = ext && *ext ? find(ext) : NULL;
    if (r)
        return r->type;
    return mime && *mime ? rs_file_type_of_mime(mime) : "custom";
}

uint64_t rs_file_limit(const hitl_refserver_config *cfg, const char *ext)
{
    const char *t = rs_file_type(ext);
    if (strcmp(t, "image") == 0)
        return cfg->image_limit;
    if (strcmp(t, "video") == 0)
        return cfg->video_limit;
    if (strcmp(t, "audio") == 0)
        return cfg->audio_limit;
    return cfg->file_limit;
}

uint64_t rs_file_max_limit(const hitl_refserver_config *cfg)
{
    uint64_t m = cfg->image_limit;
    if (cfg->file_limit > m)
        m = cfg->file_limit;
    if (cfg->video_limit > m)
        m = cfg->video_limit;
    if (cfg->audio_limit > m)
        m = cfg->audio_limit;
    return m;
}

const char *rs_file_mime(const char *ext)
{
    const ext_row *r = find(ext);
    return r ? r->mime : "application/octet-stream";
}

const char *rs_file_ext_of_mime(const char *mime)
{
    for (size_t i = 0; i < sizeof EXTS / sizeof EXTS[0]; i++)
        if (strncasecmp(EXTS[i].mime, mime, strlen(EXTS[i].mime)) == 0)
            return EXTS[i].ext;
    return NULL;
}

int rs_file_blacklisted(const hitl_refserver_config *cfg, const char *ext)
{
    for (size_t i = 0; i < cfg->nblacklist; i++)
        if (strcmp(cfg->blacklist[i], ext) == 0)
            return 1;
    return 0;
}

int rs_file_name_invalid(const char *name)
{
    return strpbrk(name, "/\\:*?\"<>|") != NULL;
}
