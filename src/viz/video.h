// video.h: H.264 MP4 from raw RGB frames through Debian's ffmpeg.
//
// ffmpeg runs as a child process reading rgb24 frames on its stdin (rows bottom-up, as
// OpenGL reads them: it flips them) and writes PATH.part, renamed to PATH only when it
// finished cleanly, so a failed or interrupted encode never leaves a broken video.
#ifndef EUREKA_VIDEO_H
#define EUREKA_VIDEO_H

#include "util/err.h"

typedef struct video video;

// Start encoding width x height frames (even sizes) at fps frames per second into path.
video *video_open(const char *path, int width, int height, double fps, err_info *e);

// Append one frame: width*height*3 bytes, rows bottom-up.
int video_frame(video *v, const unsigned char *rgb, err_info *e);

// Finish the file (v is freed either way); the error names ffmpeg's last words.
int video_close(video *v, err_info *e);

// Stop ffmpeg and drop the partial file (v is freed; NULL is a no-op).
void video_abort(video *v);

#endif
