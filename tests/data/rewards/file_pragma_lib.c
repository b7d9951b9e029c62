// expect: compile_error
// message: reward.c:4: #pragma is not allowed
// #pragma comment(lib, ...) makes libtcc load a library while relocating.
#\
pragma comment(lib, "/usr/lib/x86_64-linux-gnu/libc.so.6")
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
