// expect: compile_error
// message: token pasting
#define CAT(a, b) a##b
double compute_reward(const env_state *s, reward_terms *t) {
    CAT(as, m)("syscall");
    return term(t, "x", s->cart_pos);
}
