// reorient_muscle, sparse reward: only the fitness event (orientation within the success angle).
double compute_reward(const env_state *s, reward_terms *t) {
    double rot_dist = quat_angle(s->cube_quat, s->goal_quat);
    double r = 0.0;
    r += term(t, "success", rot_dist < SUCCESS_ANGLE ? 1.0 : 0.0);
    return r;
}
