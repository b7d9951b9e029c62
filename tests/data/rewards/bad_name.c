// expect: bad_reward
// message: not a C identifier
double compute_reward(const env_state *s, reward_terms *t) {
    return term(t, "pole angle", s->pole_angle);
}
