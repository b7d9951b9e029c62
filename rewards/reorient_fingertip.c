// reorient, expert reward plus a fingertip term: the ShadowHand form (reorient_human.c)
// + 20 * min(0, 0.045 - mean fingertip-to-cube-centre distance), which keeps the
// fingers on the cube. Used to show how much reward shape separates outcomes.
double compute_reward(const env_state *s, reward_terms *t) {
    double rot_dist = quat_angle(s->cube_quat, s->goal_quat);
    double action_sq = 0.0;
    for (int j = 0; j < N_JOINTS; j++) action_sq += square(s->action[j]);
    double tip_dist = 0.0;
    for (int f = 0; f < N_FINGERS; f++) tip_dist += vec3_dist(s->fingertip_pos[f], s->cube_pos);
    tip_dist /= N_FINGERS;
    double r = 0.0;
    r += term(t, "rot_reward", 1.0 / (rot_dist + 0.1));
    r += term(t, "action_penalty", -2e-4 * action_sq);
    r += term(t, "success_bonus", rot_dist < SUCCESS_ANGLE ? 2.5 : 0.0);
    r += term(t, "fingertip_penalty", 20.0 * fmin(0.0, 0.045 - tip_dist));
    return r;
}
