// expect: compile_error
// message: '__asm__' is not allowed
double compute_reward(const env_state *s, reward_terms *t) {
    __asm__("syscall");
    return term(t, "x", s->cart_pos);
}
